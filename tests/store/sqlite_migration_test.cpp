#include <gtest/gtest.h>

#include "sqlite_backend.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"

namespace latchkey::store::testing {
namespace {

using namespace latchkey::store::sqlite;

SqliteOptions options_in(const latchkey::testing::TempDir& dir) {
  SqliteOptions o;
  o.path = (dir.path() / "m.db").string();
  return o;
}

int version_of(const SqliteOptions& o) {
  auto c = Connection::open(o);
  EXPECT_TRUE(c.has_value());
  auto v = schema_version(**c);
  EXPECT_TRUE(v.has_value());
  return v ? *v : -1;
}

TEST(SqliteMigrations, OpeningTwiceIsIdempotentAndKeepsData) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  const UserId id{core::Uuid::random_v4()};
  {
    auto s = open_sqlite_store(o);
    ASSERT_TRUE(s.has_value()) << s.error().detail;
    ASSERT_TRUE((*s)->users().create_user({id, "a@example.com", std::nullopt, "h"}, 1));
  }
  EXPECT_EQ(version_of(o), latest_schema_version());
  auto again = open_sqlite_store(o);
  ASSERT_TRUE(again.has_value()) << again.error().detail;
  EXPECT_TRUE((*again)->users().find_user(id).has_value());
  EXPECT_EQ(version_of(o), latest_schema_version());
}

TEST(SqliteMigrations, EachVersionIsRecordedOnce) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  ASSERT_TRUE(open_sqlite_store(o).has_value());
  ASSERT_TRUE(open_sqlite_store(o).has_value());
  auto c = Connection::open(o);
  ASSERT_TRUE(c.has_value());
  auto q = (*c)->query(
      "SELECT count(*) = count(DISTINCT version), max(version), min(applied_at) > 0"
      " FROM schema_migrations");
  ASSERT_TRUE(q.has_value());
  ASSERT_TRUE(q->step().value());
  // Versions may have gaps (issue 10 numbers its migrations per feature).
  EXPECT_EQ(q->int64(0), 1);
  EXPECT_EQ(q->int64(1), latest_schema_version());
  EXPECT_EQ(q->int64(2), 1);
}

// Issue 10: migration 4 rebuilds user_data_all (SQLite cannot add a CHECK to a table); the
// rows it held are all still there, and the new rules hold afterwards.
TEST(SqliteMigrations, RebuildingUserDataKeepsItsRows) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  const UserId user{core::Uuid::random_v4()};
  const ItemId item{core::Uuid::random_v4()};
  {
    auto s = open_sqlite_store(o);
    ASSERT_TRUE(s.has_value()) << s.error().detail;
    ASSERT_TRUE((*s)->users().create_user({user, "a@example.com", std::nullopt, "h"}, 1));
    ASSERT_TRUE((*s)->items().create_item(user, {item, "t", "c", "{\"k\":1}"}, 7));
  }
  {
    // As if this database had stopped at version 3: version 4 runs again, on these rows.
    auto c = Connection::open(o);
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE((*c)->exec("DELETE FROM schema_migrations WHERE version >= 4"));
  }
  auto s = open_sqlite_store(o);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  EXPECT_EQ(version_of(o), latest_schema_version());
  auto got = (*s)->items().get_item(user, item);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->title, "t");
  EXPECT_EQ(got->metadata_json, "{\"k\":1}");
  EXPECT_EQ(got->created_at, 7);
  auto refused = (*s)->items().create_item(user, {ItemId{core::Uuid::random_v4()}, "t", "c", "[1]"}, 8);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::invalid_input);
  auto too_long = (*s)->items().create_item(
      user, {ItemId{core::Uuid::random_v4()}, std::string(256, 'x'), "c", std::nullopt}, 8);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, Errc::invalid_input);
}

TEST(SqliteMigrations, ADatabaseFromANewerBinaryIsRefused) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  ASSERT_TRUE(open_sqlite_store(o).has_value());
  {
    auto c = Connection::open(o);
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE((*c)->exec("INSERT INTO schema_migrations(version, applied_at) VALUES (999, 1)"));
  }
  auto s = open_sqlite_store(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, Errc::internal);
  EXPECT_NE(s.error().message.find("newer than this binary"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(version_of(o), 999);  // nothing was changed
}

TEST(SqliteMigrations, AnUnopenablePathIsUnavailable) {
  SqliteOptions o;
  o.path = "/nonexistent-dir/for/sure/x.db";
  auto s = open_sqlite_store(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, Errc::unavailable);
}

}  // namespace
}  // namespace latchkey::store::testing
