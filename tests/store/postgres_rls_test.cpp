// What row-level security does on PostgreSQL: a statement run in alice's request transaction
// (role `authenticated`, alice's claims) sees and changes only alice's rows whatever its WHERE
// clause says, so a store statement that lost its user_id filter would still not leak.
//
// It is no sandbox for SQL a client wrote: the claims are a setting, and SQL inside the
// transaction could change them with set_config('request.jwt.claims', ...) and become bob.
// What keeps that out is that no HTTP path runs client-supplied SQL: every statement text is a
// constant in the store's source, and request data only travels as bound parameters
// (statement_text_test.cpp checks both backends for this).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>

#include "postgres_backend.hpp"
#include "store/postgres/scoped_sql.hpp"

namespace latchkey::store::testing {
namespace {

using latchkey::testing::PgCluster;
using postgres::exec_as_owner;
constexpr core::Micros kT0 = 1'700'000'000'000'000;

struct ConnFree {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};

class PostgresRls : public ::testing::Test {
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
  PgCluster& cluster() { return backend_.cluster(); }

  // The single cell of a one-row, one-column result, e.g. count(*).
  std::string scalar(std::optional<UserId> owner, const std::string& sql) {
    auto r = exec_as_owner(store(), owner, sql);
    EXPECT_TRUE(r.has_value()) << sql << ": " << (r ? "" : r.error().detail);
    if (!r || r->rows.size() != 1 || r->rows[0].size() != 1 || !r->rows[0][0]) return "?";
    return *r->rows[0][0];
  }
  int64_t changes(std::optional<UserId> owner, const std::string& sql) {
    auto r = exec_as_owner(store(), owner, sql);
    EXPECT_TRUE(r.has_value()) << sql << ": " << (r ? "" : r.error().detail);
    return r ? r->changes : -1;
  }
  // The detail of the error the database returns for `sql` as `owner` ("" if it succeeded).
  std::string refusal(std::optional<UserId> owner, const std::string& sql) {
    auto r = exec_as_owner(store(), owner, sql);
    EXPECT_FALSE(r.has_value()) << sql << " was accepted";
    return r ? "" : r.error().detail;
  }

  // A direct libpq session as `role`, outside any request transaction.
  std::unique_ptr<PGconn, ConnFree> connect_as(const char* role) {
    std::unique_ptr<PGconn, ConnFree> c(PQconnectdb(cluster().url(role).c_str()));
    EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    return c;
  }
  // Runs `sql` on `c`; returns the first cell, or "ERROR <sqlstate>" if it failed.
  static std::string query(PGconn* c, const std::string& sql) {
    std::unique_ptr<PGresult, ResultFree> r(PQexec(c, sql.c_str()));
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_FATAL_ERROR)
      return std::string("ERROR ") + PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    if (st != PGRES_TUPLES_OK || PQntuples(r.get()) < 1) return "";
    return PQgetvalue(r.get(), 0, 0);
  }
  std::string claims_of(UserId u) {
    return "{\"sub\":\"" + u.str() + "\",\"role\":\"authenticated\"}";
  }

  void expect_bob_intact() {
    ASSERT_EQ(store().items().list_items(bob_, 100, 0)->size(), bob_items_.size());
    for (size_t i = 0; i < bob_items_.size(); ++i) {
      auto item = store().items().get_item(bob_, bob_items_[i]);
      ASSERT_TRUE(item.has_value());
      EXPECT_EQ(item->title, "bob" + std::to_string(i));
    }
  }

  PostgresBackend backend_{2};
  UserId alice_, bob_;
  std::vector<ItemId> alice_items_, bob_items_;
};

TEST_F(PostgresRls, UnfilteredSelectSeesOnlyTheOwnersRows) {
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "2");
  EXPECT_EQ(scalar(bob_, "SELECT count(*) FROM user_data"), "3");
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data WHERE user_id = '" + bob_.str() + "'"),
            "0");
  EXPECT_EQ(scalar(alice_, "SELECT count(DISTINCT user_id) FROM public.user_data"), "1");
}

TEST_F(PostgresRls, TheRequestRunsAsAuthenticatedWithTheOwnersUid) {
  EXPECT_EQ(scalar(alice_, "SELECT current_user"), "authenticated");
  EXPECT_EQ(scalar(alice_, "SELECT auth.uid()::text"), alice_.str());
}

TEST_F(PostgresRls, UnfilteredUpdateTouchesOnlyTheOwnersRows) {
  EXPECT_EQ(changes(alice_, "UPDATE user_data SET title = 'x'"), 2);
  for (const ItemId& id : alice_items_) EXPECT_EQ(store().items().get_item(alice_, id)->title, "x");
  expect_bob_intact();
}

TEST_F(PostgresRls, UnfilteredDeleteRemovesOnlyTheOwnersRows) {
  EXPECT_EQ(changes(alice_, "DELETE FROM user_data"), 2);
  EXPECT_TRUE(store().items().list_items(alice_, 100, 0)->empty());
  expect_bob_intact();
}

TEST_F(PostgresRls, InsertingARowForAnotherUserIsRejectedByThePolicy) {
  const std::string detail =
      refusal(alice_, "INSERT INTO user_data (user_id, title, content) VALUES ('" + bob_.str() +
                          "', 'planted', 'x')");
  EXPECT_NE(detail.find("42501"), std::string::npos) << detail;
  EXPECT_NE(detail.find("row-level security"), std::string::npos) << detail;
  expect_bob_intact();
}

TEST_F(PostgresRls, HandingARowOverToAnotherUserIsRejectedByThePolicy) {
  const std::string detail = refusal(alice_, "UPDATE user_data SET user_id = '" + bob_.str() + "'");
  EXPECT_NE(detail.find("row-level security"), std::string::npos) << detail;
  EXPECT_EQ(store().items().list_items(alice_, 100, 0)->size(), 2u);
  expect_bob_intact();
}

TEST_F(PostgresRls, WithoutClaimsNothingIsVisibleOrWritable) {
  EXPECT_EQ(scalar(std::nullopt, "SELECT count(*) FROM user_data"), "0");
  EXPECT_EQ(scalar(std::nullopt, "SELECT auth.uid() IS NULL"), "t");
  EXPECT_EQ(changes(std::nullopt, "UPDATE user_data SET title = 'x'"), 0);
  EXPECT_EQ(changes(std::nullopt, "DELETE FROM user_data"), 0);
  expect_bob_intact();
  EXPECT_EQ(store().items().list_items(alice_, 100, 0)->size(), 2u);
}

TEST_F(PostgresRls, RoleAndClaimsEndWithTheRequestTransaction) {
  // One connection: the next request on it starts from the login role again.
  PostgresBackend single(1);
  auto r = exec_as_owner(single.store(), alice_, "SELECT 1");
  ASSERT_TRUE(r.has_value());
  auto next = exec_as_owner(single.store(), std::nullopt,
                            "SELECT session_user || ' ' || coalesce(auth.uid()::text, 'none')");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->rows.at(0).at(0), std::string(PgCluster::kAppRole) + " none");
}

TEST_F(PostgresRls, LoginRoleCannotReadUserDataOutsideARequest) {
  auto app = connect_as(PgCluster::kAppRole);
  // No privilege on the table at all: only `authenticated` has one.
  EXPECT_EQ(query(app.get(), "SELECT count(*) FROM public.user_data"), "ERROR 42501");
  // Claims alone (without the role switch) do not help either.
  query(app.get(), "SELECT set_config('request.jwt.claims', '" + claims_of(alice_) + "', false)");
  EXPECT_EQ(query(app.get(), "SELECT count(*) FROM public.user_data"), "ERROR 42501");
}

TEST_F(PostgresRls, EvenTheTableOwnerSeesNoRowsWithoutClaims) {
  auto owner = connect_as(PgCluster::kOwnerRole);
  EXPECT_EQ(query(owner.get(), "SELECT count(*) FROM public.user_data"), "0");  // FORCE RLS
  query(owner.get(), "SELECT set_config('request.jwt.claims', '" + claims_of(bob_) + "', false)");
  EXPECT_EQ(query(owner.get(), "SELECT count(*) FROM public.user_data"), "3");
}

TEST_F(PostgresRls, LoginRoleNeitherOwnsTheTableNorBypassesRls) {
  const std::string db = PgCluster::kDatabase;
  EXPECT_EQ(cluster().query_scalar(db,
                                   "SELECT tableowner FROM pg_tables"
                                   " WHERE schemaname = 'public' AND tablename = 'user_data'"),
            PgCluster::kOwnerRole);
  for (const char* role : {PgCluster::kAppRole, "authenticated"}) {
    EXPECT_EQ(cluster().query_scalar(db, std::string("SELECT rolsuper OR rolbypassrls FROM pg_roles"
                                                     " WHERE rolname = '") +
                                             role + "'"),
              "f")
        << role;
  }
  EXPECT_EQ(cluster().query_scalar(db,
                                   "SELECT relrowsecurity AND relforcerowsecurity"
                                   " FROM pg_class WHERE oid = 'public.user_data'::regclass"),
            "t");
}

TEST_F(PostgresRls, TheTutorialsFourPoliciesAreInstalled) {
  EXPECT_EQ(cluster().query_scalar(
                PgCluster::kDatabase,
                "SELECT string_agg(policyname || ':' || cmd, ',' ORDER BY policyname)"
                " FROM pg_policies WHERE schemaname = 'public' AND tablename = 'user_data'"),
            "Users can delete own data:DELETE,Users can insert own data:INSERT,"
            "Users can update own data:UPDATE,Users can view own data:SELECT");
}

}  // namespace
}  // namespace latchkey::store::testing
