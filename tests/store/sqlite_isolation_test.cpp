// The proof that SQLite item isolation does not depend on the query text: arbitrary SQL run
// through alice's request-scoped handle sees and changes only alice's rows.
#include <gtest/gtest.h>

#include "sqlite_backend.hpp"
#include "store/sqlite/scoped_sql.hpp"

namespace latchkey::store::testing {
namespace {

using sqlite::exec_as_owner;
constexpr core::Micros kT0 = 1'700'000'000'000'000;

class SqliteIsolation : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = make_user("alice");
    bob_ = make_user("bob");
    for (int i = 0; i < 2; ++i)
      alice_items_.push_back(make_item(alice_, "alice" + std::to_string(i)));
    for (int i = 0; i < 3; ++i) bob_items_.push_back(make_item(bob_, "bob" + std::to_string(i)));
  }

  UserId make_user(const std::string& name) {
    const UserId id{core::Uuid::random_v4()};
    EXPECT_TRUE(store().users().create_user({id, name + "@example.com", std::nullopt, "h"}, kT0));
    return id;
  }
  ItemId make_item(UserId owner, const std::string& title) {
    const ItemId id{core::Uuid::random_v4()};
    EXPECT_TRUE(store().items().create_item(owner, {id, title, "c", std::nullopt}, kT0));
    return id;
  }
  Store& store() { return backend_.store(); }

  // The single cell of a one-row, one-column result, e.g. count(*).
  std::string scalar(std::optional<UserId> owner, const std::string& sql) {
    auto r = exec_as_owner(store(), owner, sql);
    EXPECT_TRUE(r.has_value()) << sql << ": " << (r ? "" : r.error().detail);
    if (!r || r->rows.size() != 1 || r->rows[0].size() != 1 || !r->rows[0][0]) return "?";
    return *r->rows[0][0];
  }

  void expect_bob_intact() {
    ASSERT_EQ(store().items().list_items(bob_, 100, 0)->size(), bob_items_.size());
    for (size_t i = 0; i < bob_items_.size(); ++i) {
      auto item = store().items().get_item(bob_, bob_items_[i]);
      ASSERT_TRUE(item.has_value());
      EXPECT_EQ(item->title, "bob" + std::to_string(i));
    }
  }

  SqliteBackend backend_{2};
  UserId alice_, bob_;
  std::vector<ItemId> alice_items_, bob_items_;
};

TEST_F(SqliteIsolation, UnfilteredSelectSeesOnlyTheOwnersRows) {
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "2");
  EXPECT_EQ(scalar(bob_, "SELECT count(*) FROM user_data"), "3");
  auto rows = exec_as_owner(store(), alice_, "SELECT user_id FROM user_data");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->rows.size(), 2u);
  for (const auto& row : rows->rows) EXPECT_EQ(row[0], alice_.str());
  // Even a filter naming bob cannot reach past the view.
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data WHERE user_id = '" + bob_.str() + "'"),
            "0");
}

TEST_F(SqliteIsolation, UnfilteredUpdateChangesOnlyTheOwnersRows) {
  auto r = exec_as_owner(store(), alice_, "UPDATE user_data SET title = 'pwned'");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->changes, 2);
  for (const ItemId& id : alice_items_)
    EXPECT_EQ(store().items().get_item(alice_, id)->title, "pwned");
  expect_bob_intact();
}

TEST_F(SqliteIsolation, UnfilteredDeleteRemovesOnlyTheOwnersRows) {
  auto r = exec_as_owner(store(), alice_, "DELETE FROM user_data");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->changes, 2);
  EXPECT_TRUE(store().items().list_items(alice_, 100, 0)->empty());
  expect_bob_intact();
}

TEST_F(SqliteIsolation, InsertIsForcedToTheOwner) {
  auto r = exec_as_owner(store(), alice_,
                         "INSERT INTO user_data(id, title, content, created_at, updated_at)"
                         " VALUES ('00000000-0000-4000-8000-000000000001', 'x', 'y', 1, 1)");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->changes, 1);
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "3");
}

struct Refusal {
  std::string sql;
  Errc code;  // SQLite reports most refusals as SQLITE_AUTH (forbidden), a few as plain errors
};

// Each statement must be refused through alice's handle, leaving bob's rows intact.
TEST_F(SqliteIsolation, WaysAroundTheViewAreRefused) {
  const std::string bob = bob_.str();
  const auto forbidden = Errc::forbidden;
  const std::vector<Refusal> refused = {
      {"SELECT * FROM main.user_data_all", forbidden},
      {"SELECT count(*) FROM main.user_data_all", forbidden},
      {"SELECT count(*) FROM (SELECT * FROM main.user_data_all)", forbidden},
      // A CTE's name reaches the authorizer exactly like a view's; naming it after the view
      // must not help.
      {"WITH user_data AS (SELECT * FROM main.user_data_all) SELECT count(*) FROM user_data",
       forbidden},
      {"WITH x AS (SELECT title FROM main.user_data_all) SELECT title FROM x", forbidden},
      {"INSERT INTO user_data(id, user_id, title, content, created_at, updated_at)"
       " VALUES ('00000000-0000-4000-8000-000000000002', '" +
           bob + "', 'x', 'y', 1, 1)",
       forbidden},
      {"UPDATE user_data SET user_id = '" + bob + "'", forbidden},
      {"INSERT INTO main.user_data_all(id, user_id, title, content, created_at, updated_at)"
       " VALUES ('00000000-0000-4000-8000-000000000003', '" +
           bob + "', 'x', 'y', 1, 1)",
       forbidden},
      {"DELETE FROM main.user_data_all", forbidden},
      {"UPDATE main.user_data_all SET title = 'pwned'", forbidden},
      {"SELECT password_hash FROM users", forbidden},
      {"SELECT * FROM sessions", forbidden},
      {"SELECT * FROM sqlite_temp_master", forbidden},
      {"SELECT * FROM sqlite_master", forbidden},
      {"SELECT * FROM pragma_table_list", Errc::internal},  // "not authorized", SQLITE_ERROR
      {"PRAGMA table_list", forbidden},
      {"DROP VIEW user_data", forbidden},
      {"CREATE TEMP VIEW peek AS SELECT * FROM main.user_data_all", forbidden},
      {"ATTACH DATABASE ':memory:' AS other", forbidden},
      {"EXPLAIN QUERY PLAN SELECT * FROM user_data", forbidden},
      {"EXPLAIN SELECT * FROM user_data", forbidden},
  };
  for (const auto& [sql, code] : refused) {
    auto r = exec_as_owner(store(), alice_, sql);
    ASSERT_FALSE(r.has_value()) << "not refused: " << sql;
    EXPECT_EQ(r.error().code, code) << sql << ": " << r.error().detail;
  }
  expect_bob_intact();
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "2");
}

TEST_F(SqliteIsolation, TheOldTableNameDoesNotExist) {
  auto r = exec_as_owner(store(), alice_, "SELECT * FROM main.user_data");
  EXPECT_FALSE(r.has_value());
}

TEST_F(SqliteIsolation, WithoutAnOwnerNothingIsSeenOrWritten) {
  EXPECT_EQ(scalar(std::nullopt, "SELECT count(*) FROM user_data"), "0");
  auto upd = exec_as_owner(store(), std::nullopt, "UPDATE user_data SET title = 'pwned'");
  ASSERT_TRUE(upd.has_value());
  EXPECT_EQ(upd->changes, 0);
  auto ins = exec_as_owner(store(), std::nullopt,
                           "INSERT INTO user_data(id, title, content, created_at, updated_at)"
                           " VALUES ('00000000-0000-4000-8000-000000000004', 'x', 'y', 1, 1)");
  ASSERT_FALSE(ins.has_value());
  EXPECT_EQ(ins.error().code, Errc::forbidden);
  expect_bob_intact();
}

TEST_F(SqliteIsolation, TheOwnerDoesNotOutliveTheCall) {
  // Both pooled connections have served alice and bob by now; with no owner, nothing.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(scalar(i % 2 ? alice_ : bob_, "SELECT count(*) FROM user_data"), i % 2 ? "2" : "3");
    EXPECT_EQ(scalar(std::nullopt, "SELECT count(*) FROM user_data"), "0");
  }
}

}  // namespace
}  // namespace latchkey::store::testing
