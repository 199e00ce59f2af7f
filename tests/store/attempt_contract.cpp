// The attempt counters behind rate limits, for every backend (same suite as store_contract).
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store_contract.hpp"

namespace latchkey::store::testing {
namespace {

constexpr core::Micros kSec = 1'000'000;

TEST_P(StoreContract, TokenBucketAllowsABurstThenRefills) {
  auto& a = store().attempts();
  const core::BucketRule rule{3, 60};  // 3 at once, then one per second
  for (int i = 0; i < 3; ++i) {
    auto r = a.take_token("ip:10.0.0.1", rule, kT0);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_FALSE(*r) << "attempt " << i;
  }
  auto refused = a.take_token("ip:10.0.0.1", rule, kT0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, 1);
  EXPECT_FALSE(*a.take_token("ip:10.0.0.2", rule, kT0)) << "keys are independent";
  EXPECT_FALSE(*a.take_token("ip:10.0.0.1", rule, kT0 + kSec + kSec / 10)) << "refilled";
  EXPECT_TRUE(*a.take_token("ip:10.0.0.1", rule, kT0 + kSec + kSec / 5));
}

// nullopt (the attempt may go ahead) or the seconds to wait, as reserve_attempt answers.
std::optional<int> reserve(AttemptStore& a, const std::string& key, const core::BackoffRule& rule,
                           core::Micros now) {
  auto r = a.reserve_attempt(key, rule, now);
  EXPECT_TRUE(r) << r.error().detail;
  return r ? *r : std::optional<int>(-1);
}

TEST_P(StoreContract, FailuresBackOffAndSuccessClears) {
  auto& a = store().attempts();
  const core::BackoffRule rule{2, 8};
  const std::string key = "login:alice@example.com";
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(reserve(a, key, rule, kT0)) << "two free failures, then one more attempt";
  }
  EXPECT_EQ(reserve(a, key, rule, kT0), 1);
  EXPECT_FALSE(reserve(a, key, rule, kT0 + kSec)) << "the wait ends";
  EXPECT_EQ(reserve(a, key, rule, kT0 + kSec), 2) << "and doubles";
  for (int i = 0; i < 8; ++i) (void)reserve(a, key, rule, kT0 + 3 * kSec + i * 8 * kSec);
  EXPECT_EQ(reserve(a, key, rule, kT0 + 59 * kSec), 8) << "capped";
  EXPECT_FALSE(reserve(a, "login:bob@example.com", rule, kT0)) << "keys are independent";
  ASSERT_TRUE(a.clear_failures(key));
  EXPECT_FALSE(reserve(a, key, rule, kT0 + 60 * kSec)) << "the count starts afresh";
  EXPECT_FALSE(reserve(a, key, rule, kT0 + 60 * kSec));
}

TEST_P(StoreContract, OldFailuresAreForgotten) {
  auto& a = store().attempts();
  const core::BackoffRule rule{1, 4};
  const std::string key = "login:carol@example.com";
  EXPECT_FALSE(reserve(a, key, rule, kT0));
  EXPECT_FALSE(reserve(a, key, rule, kT0 + kSec));
  EXPECT_TRUE(reserve(a, key, rule, kT0 + kSec));
  // After a quiet period of twice the cap, the next failure counts as the first.
  EXPECT_FALSE(reserve(a, key, rule, kT0 + 20 * kSec));
  EXPECT_FALSE(reserve(a, key, rule, kT0 + 20 * kSec));
}

// Issue 8: backoff was checked before hashing and counted after, so 24 concurrent wrong
// passwords made 13 real checks. Reservations on one key are serialized: exactly the free
// failures plus one get through, however many race.
TEST_P(StoreContract, ConcurrentReservationsAreAllCounted) {
  auto& a = store().attempts();
  const core::BackoffRule rule{5, 900};
  const std::string key = "login:race@example.com";
  std::atomic<int> admitted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 24; ++i) {
    threads.emplace_back([&] {
      auto r = a.reserve_attempt(key, rule, kT0);
      if (!r) {
        ++errors;
      } else if (!*r) {
        ++admitted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(admitted.load(), 6);
}

}  // namespace
}  // namespace latchkey::store::testing
