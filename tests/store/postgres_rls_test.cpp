// PostgreSQL item isolation: the isolation contract under forced row-level security as the app
// role, and what only PostgreSQL has (roles, claims, policies). A statement run in alice's
// request transaction (role `authenticated`, alice's claims) sees and changes only alice's
// rows whatever its WHERE clause says, so a store statement that lost its user_id filter
// would still not leak.
//
// It is no sandbox for SQL a client wrote: the claims are a setting, and SQL inside the
// transaction could change them with set_config('request.jwt.claims', ...) and become bob.
// What keeps that out is that no HTTP path runs client-supplied SQL: every statement text is a
// constant in the store's source, and request data only travels as bound parameters
// (statement_text_test.cpp checks both backends for this).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>

#include "isolation_contract.hpp"
#include "postgres_backend.hpp"
#include "store/postgres/scoped_sql.hpp"

namespace latchkey::store::testing {
namespace {

using latchkey::testing::PgCluster;
using postgres::exec_as_owner;

// A row for anyone but the owner fails a policy's WITH CHECK: "new row violates row-level
// security policy" (SQLSTATE 42501), forbidden as on SQLite (issue 10).
const IsolationBackend kPostgres = two_connections<PostgresBackend>(
    &postgres::exec_as_owner, "public.user_data",
    "INSERT INTO user_data (user_id, title, content) VALUES ('{user}', 'planted', 'x')",
    {Errc::forbidden, {"42501", "row-level security"}});

INSTANTIATE_TEST_SUITE_P(Postgres, IsolationContract, ::testing::Values(kPostgres),
                         isolation_backend_name);

struct ConnFree {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};

class PostgresRls : public IsolationContract {
 protected:
  PgCluster& cluster() { return PgCluster::shared(); }

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
};
INSTANTIATE_TEST_SUITE_P(Postgres, PostgresRls, ::testing::Values(kPostgres),
                         isolation_backend_name);

TEST_P(PostgresRls, WithoutClaimsAuthUidIsNull) {
  EXPECT_EQ(scalar(std::nullopt, "SELECT auth.uid() IS NULL"), "t");
}

TEST_P(PostgresRls, TheRequestRunsAsAuthenticatedWithTheOwnersUid) {
  EXPECT_EQ(scalar(alice_, "SELECT current_user"), "authenticated");
  EXPECT_EQ(scalar(alice_, "SELECT auth.uid()::text"), alice_.str());
}

TEST_P(PostgresRls, RoleAndClaimsEndWithTheRequestTransaction) {
  // One connection: the next request on it starts from the login role again.
  PostgresBackend single(1);
  auto r = exec_as_owner(single.store(), alice_, "SELECT 1");
  ASSERT_TRUE(r.has_value());
  auto next = exec_as_owner(single.store(), std::nullopt,
                            "SELECT session_user || ' ' || coalesce(auth.uid()::text, 'none')");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->rows.at(0).at(0), std::string(PgCluster::kAppRole) + " none");
}

TEST_P(PostgresRls, LoginRoleCannotReadUserDataOutsideARequest) {
  auto app = connect_as(PgCluster::kAppRole);
  // No privilege on the table at all: only `authenticated` has one.
  EXPECT_EQ(query(app.get(), "SELECT count(*) FROM public.user_data"), "ERROR 42501");
  // Claims alone (without the role switch) do not help either.
  query(app.get(), "SELECT set_config('request.jwt.claims', '" + claims_of(alice_) + "', false)");
  EXPECT_EQ(query(app.get(), "SELECT count(*) FROM public.user_data"), "ERROR 42501");
}

TEST_P(PostgresRls, EvenTheTableOwnerSeesNoRowsWithoutClaims) {
  auto owner = connect_as(PgCluster::kOwnerRole);
  EXPECT_EQ(query(owner.get(), "SELECT count(*) FROM public.user_data"), "0");  // FORCE RLS
  query(owner.get(), "SELECT set_config('request.jwt.claims', '" + claims_of(bob_) + "', false)");
  EXPECT_EQ(query(owner.get(), "SELECT count(*) FROM public.user_data"), "3");
}

TEST_P(PostgresRls, LoginRoleNeitherOwnsTheTableNorBypassesRls) {
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

// The tutorial's four, for every role (auth.uid() confines them), and service_role's own
// (issue 10: it stands in for BYPASSRLS, which only a superuser could grant).
TEST_P(PostgresRls, TheTutorialsFourPoliciesAndTheServiceRolesAreInstalled) {
  EXPECT_EQ(cluster().query_scalar(
                PgCluster::kDatabase,
                "SELECT string_agg(policyname || ':' || cmd || ':' || array_to_string(roles, '+'),"
                " ',' ORDER BY policyname)"
                " FROM pg_policies WHERE schemaname = 'public' AND tablename = 'user_data'"),
            "Service role has every row:ALL:service_role,"
            "Users can delete own data:DELETE:public,Users can insert own data:INSERT:public,"
            "Users can update own data:UPDATE:public,Users can view own data:SELECT:public");
}

}  // namespace
}  // namespace latchkey::store::testing
