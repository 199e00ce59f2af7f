// Attempt counters on PostgreSQL are shared state: concurrent attempts on one key, from any
// number of connections (or nodes), are all counted.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "postgres_backend.hpp"

namespace latchkey::store::testing {
namespace {

constexpr core::Micros kT0 = 1'700'000'000'000'000;

TEST(PostgresAttempts, ConcurrentAttemptsOnOneKeyAreAllCounted) {
  PostgresBackend backend(4);
  // A second store on the same database stands in for a second node.
  auto other = postgres::open_pg_store(PostgresBackend::options(backend.cluster(), 4));
  ASSERT_TRUE(other.has_value()) << other.error().detail;
  const core::BucketRule rule{20, 0.001};  // 20 at once, practically no refill
  std::atomic<int> allowed{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    Store& s = i % 2 ? **other : backend.store();
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        auto r = s.attempts().take_token("ip:192.0.2.1", rule, kT0);
        ASSERT_TRUE(r.has_value()) << r.error().detail;
        (*r ? refused : allowed)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 20);
  EXPECT_EQ(refused.load(), 20);
}

}  // namespace
}  // namespace latchkey::store::testing
