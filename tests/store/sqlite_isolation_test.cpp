// SQLite item isolation: the isolation contract on the per-connection owner views, triggers
// and authorizer, and the ways around the view that SQLite offers and the store refuses.
#include <gtest/gtest.h>

#include "isolation_contract.hpp"
#include "sqlite_backend.hpp"
#include "store/sqlite/scoped_sql.hpp"

namespace latchkey::store::testing {
namespace {

// TEMP is searched before main: every unqualified `user_data` means the owner's view. Rows for
// anyone but the owner are refused by RAISE(ABORT, 'user_data: ...') in an owner trigger.
const IsolationBackend kSqlite = two_connections<SqliteBackend>(
    &sqlite::exec_as_owner, "temp.user_data",
    "INSERT INTO user_data(id, user_id, title, content, created_at, updated_at)"
    " VALUES ('00000000-0000-4000-8000-000000000002', '{user}', 'x', 'y', 1, 1)",
    {Errc::forbidden, {"user_data: "}});

INSTANTIATE_TEST_SUITE_P(Sqlite, IsolationContract, ::testing::Values(kSqlite),
                         isolation_backend_name);

class SqliteIsolation : public IsolationContract {};
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteIsolation, ::testing::Values(kSqlite),
                         isolation_backend_name);

TEST_P(SqliteIsolation, InsertIsForcedToTheOwner) {
  auto r = exec(alice_,
                "INSERT INTO user_data(id, title, content, created_at, updated_at)"
                " VALUES ('00000000-0000-4000-8000-000000000001', 'x', 'y', 1, 1)");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->changes, 1);
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "3");
}

TEST_P(SqliteIsolation, WithoutAnOwnerAnInsertIsForcedToNoOne) {
  auto ins = exec(std::nullopt,
                  "INSERT INTO user_data(id, title, content, created_at, updated_at)"
                  " VALUES ('00000000-0000-4000-8000-000000000004', 'x', 'y', 1, 1)");
  ASSERT_FALSE(ins.has_value());
  EXPECT_EQ(ins.error().code, Errc::forbidden);
  expect_bob_intact();
}

struct Refusal {
  std::string sql;
  Errc code;  // SQLite reports most refusals as SQLITE_AUTH (forbidden), a few as plain errors
};

// Each statement must be refused through alice's handle, leaving bob's rows intact.
TEST_P(SqliteIsolation, WaysAroundTheViewAreRefused) {
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
    auto r = exec(alice_, sql);
    ASSERT_FALSE(r.has_value()) << "not refused: " << sql;
    EXPECT_EQ(r.error().code, code) << sql << ": " << r.error().detail;
  }
  expect_bob_intact();
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "2");
}

TEST_P(SqliteIsolation, TheOldTableNameDoesNotExist) {
  auto r = exec(alice_, "SELECT * FROM main.user_data");
  EXPECT_FALSE(r.has_value());
}

}  // namespace
}  // namespace latchkey::store::testing
