// Fault tests: the PostgreSQL store fails fast while the server is gone and recovers by
// itself, without being reopened, once it is back.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <thread>
#include <vector>

#include "postgres_backend.hpp"

namespace latchkey::store::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr core::Micros kT0 = 1'700'000'000'000'000;

// Brings the server back up however the test ends, so later tests find it running.
struct ServerBackUp {
  latchkey::testing::PgCluster& cluster;
  ~ServerBackUp() { cluster.start(); }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Calls `op` until it succeeds, for at most `budget_s`; every failure must be a quick
// Errc::unavailable. Returns whether it succeeded.
template <class Op>
bool succeeds_again(Op op, double budget_s) {
  const auto start = Clock::now();
  while (seconds_since(start) < budget_s) {
    const auto call = Clock::now();
    auto r = op();
    EXPECT_LT(seconds_since(call), 3.0) << "a call hung";
    if (r) return true;
    EXPECT_EQ(r.error().code, Errc::unavailable) << r.error().detail;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(PostgresRecovery, StoreRecoversAfterTheServerRestarts) {
  PostgresBackend backend(4);
  Store& store = backend.store();
  const UserId alice{core::Uuid::random_v4()};
  ASSERT_TRUE(store.users().create_user({alice, "alice@example.com", "{}", "h"}, kT0));
  // Several calls at once, so the pool holds several connections that the restart kills.
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) EXPECT_TRUE(store.users().find_user(alice).has_value());
    });
  for (auto& t : threads) t.join();

  backend.cluster().restart();

  EXPECT_TRUE(succeeds_again([&] { return store.users().find_user(alice); }, 5.0));
  // Every path works again: auth tables as the login role, items under RLS.
  const ItemId item{core::Uuid::random_v4()};
  EXPECT_TRUE(succeeds_again(
      [&] {
        return store.items().create_item(alice, {item, "after", "restart", std::nullopt}, kT0);
      },
      5.0));
  EXPECT_EQ(store.items().get_item(alice, item)->title, "after");
  EXPECT_TRUE(store.ping().has_value());
}

TEST(PostgresRecovery, CallsFailFastWithUnavailableWhileTheServerIsDown) {
  PostgresBackend backend(2);
  Store& store = backend.store();
  const UserId alice{core::Uuid::random_v4()};
  ASSERT_TRUE(store.users().create_user({alice, "alice@example.com", "{}", "h"}, kT0));
  {
    ServerBackUp guard{backend.cluster()};
    backend.cluster().stop();
    for (int i = 0; i < 3; ++i) {
      const auto start = Clock::now();
      auto ping = store.ping();
      auto user = store.users().find_user(alice);
      auto items = store.items().list_items(alice, 10, 0);
      EXPECT_LT(seconds_since(start), 3.0);
      ASSERT_FALSE(ping.has_value());
      ASSERT_FALSE(user.has_value());
      ASSERT_FALSE(items.has_value());
      EXPECT_EQ(ping.error().code, Errc::unavailable);
      EXPECT_EQ(user.error().code, Errc::unavailable);
      EXPECT_EQ(items.error().code, Errc::unavailable);
    }
  }
  EXPECT_TRUE(succeeds_again([&] { return store.ping(); }, 5.0));
  EXPECT_EQ(store.users().find_user(alice)->email, "alice@example.com");
}

TEST(PostgresRecovery, AStatementStuckOnALockTimesOutAsUnavailable) {
  PostgresBackend backend(1);
  const UserId alice{core::Uuid::random_v4()};
  ASSERT_TRUE(
      backend.store().users().create_user({alice, "alice@example.com", "{}", "h"}, kT0));
  auto options = PostgresBackend::options(backend.cluster(), 1);
  options.statement_timeout_ms = 300;
  auto store = postgres::open_pg_store(options);
  ASSERT_TRUE(store.has_value()) << store.error().detail;

  // Another session holds alice's row lock and does not let go.
  PGconn* holder = PQconnectdb(backend.cluster().superuser_url().c_str());
  ASSERT_EQ(PQstatus(holder), CONNECTION_OK);
  PQclear(PQexec(holder, "BEGIN"));
  PQclear(PQexec(holder,
                 ("SELECT 1 FROM auth.users WHERE id = '" + alice.str() + "' FOR UPDATE").c_str()));
  const auto start = Clock::now();
  auto r = (*store)->users().set_password_hash(alice, "new");
  EXPECT_LT(seconds_since(start), 3.0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::unavailable) << r.error().detail;
  PQclear(PQexec(holder, "ROLLBACK"));
  PQfinish(holder);
  // The connection that timed out is still fine.
  EXPECT_TRUE((*store)->users().set_password_hash(alice, "new").has_value());
}

}  // namespace
}  // namespace latchkey::store::testing
