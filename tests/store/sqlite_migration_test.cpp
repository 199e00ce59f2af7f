#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
    ASSERT_TRUE((*s)->users().create_user({id, "a@example.com", "{}", "h"}, 1));
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
      "SELECT count(*), count(DISTINCT version), min(applied_at) > 0, max(version)"
      " FROM schema_migrations");
  ASSERT_TRUE(q.has_value());
  ASSERT_TRUE(q->step().value());
  EXPECT_EQ(q->int64(0), q->int64(1)) << "a version recorded twice";
  EXPECT_GE(q->int64(0), 2);
  EXPECT_EQ(q->int64(2), 1);
  EXPECT_EQ(q->int64(3), latest_schema_version());
}

// Issue 10: migration 4 rebuilds user_data_all (SQLite cannot add a CHECK to a table); the
// rows it held are all still there, and the new rules hold afterwards.
TEST(SqliteMigrations, RebuildingUserDataKeepsItsRows) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  const UserId user{core::Uuid::random_v4()};
  const ItemId item{core::Uuid::random_v4()};
  {
    // A database at version 3, with a user and an item (the columns version 3 has).
    auto c = Connection::open(o);
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE(sqlite::migrate(**c, 1, 3).has_value());
    ASSERT_TRUE((*c)->exec(("INSERT INTO users(id, email, password_hash, created_at) VALUES ('" +
                            user.str() + "', 'a@example.com', 'h', 1)").c_str()));
    ASSERT_TRUE((*c)->exec(("INSERT INTO user_data_all(id, user_id, title, content, metadata,"
                            " created_at, updated_at) VALUES ('" + item.v.str() + "', '" +
                            user.str() + "', 't', 'c', '{\"k\":1}', 7, 7)").c_str()));
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

// Migration 6 (session method, device, last use) on a database with a live session: it is
// listed as a password session with no device yet, and its refresh token still rotates.
TEST(SqliteMigrations, SessionsFromVersion5StayLiveAndListed) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  const std::string user = "11111111-1111-4111-8111-111111111111";
  const std::string session = "33333333-3333-4333-8333-333333333333";
  {
    auto c = Connection::open(o);
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE(sqlite::migrate(**c, 1, 5).has_value());
    ASSERT_TRUE((*c)->exec(("INSERT INTO users(id, email, password_hash, created_at, updated_at)"
                            " VALUES ('" +
                            user +
                            "', 'a@example.com', 'h', 1, 1);"
                            " INSERT INTO sessions(id, user_id, created_at, expires_at) VALUES ('" +
                            session + "', '" + user +
                            "', 10, 1000);"
                            " INSERT INTO refresh_tokens(token_hash, session_id, created_at)"
                            " VALUES ('h1', '" +
                            session + "', 10)")
                               .c_str()));
  }
  auto s = open_sqlite_store(o);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  const UserId owner{*core::Uuid::parse(user)};
  auto listed = (*s)->sessions().list_sessions(owner, 20, 10);
  ASSERT_TRUE(listed.has_value()) << listed.error().detail;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id.str(), session);
  EXPECT_EQ(listed->at(0).created_at, 10);
  EXPECT_EQ(listed->at(0).sign_in_method, "password");
  EXPECT_EQ(listed->at(0).client.ip, "");
  EXPECT_EQ(listed->at(0).refreshed_at, std::nullopt);
  auto rotated = (*s)->sessions().rotate_refresh_token({"h1", "h2"}, 30, {"192.0.2.1", "ua"});
  ASSERT_TRUE(rotated.has_value()) << rotated.error().detail;
  EXPECT_EQ(rotated->session.refreshed_at, 30);
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

namespace latchkey::store::testing {
namespace {

// Migration 3 (the Supabase user model) on a database that already has users: full_name
// becomes user_metadata.full_name, and the users count as confirmed when they registered.
TEST(SqliteMigrations, UsersFromVersion1KeepTheirNameAsUserMetadata) {
  latchkey::testing::TempDir dir;
  const auto o = options_in(dir);
  {
    auto c = sqlite::Connection::open(o);
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE(sqlite::migrate(**c, 1, 1).has_value());
    ASSERT_TRUE((*c)->exec("INSERT INTO users(id, email, full_name, password_hash, created_at)"
                           " VALUES ('11111111-1111-4111-8111-111111111111', 'named@example.com',"
                           " 'Ada \"L\"', 'h', 100),"
                           " ('22222222-2222-4222-8222-222222222222', 'anon@example.com', NULL,"
                           " 'h', 200)")
                    .has_value());
  }
  EXPECT_EQ(version_of(o), 1);
  auto s = open_sqlite_store(o);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  auto named = (*s)->users().find_user_by_email("named@example.com");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(nlohmann::json::parse(named->user_metadata),
            nlohmann::json({{"full_name", "Ada \"L\""}}));
  EXPECT_EQ(named->email_confirmed_at, 100);
  EXPECT_EQ(named->updated_at, 100);
  auto nameless = (*s)->users().find_user_by_email("anon@example.com");
  ASSERT_TRUE(nameless.has_value());
  EXPECT_EQ(nlohmann::json::parse(nameless->user_metadata), nlohmann::json::object());
  EXPECT_EQ(version_of(o), latest_schema_version());
}

}  // namespace
}  // namespace latchkey::store::testing
