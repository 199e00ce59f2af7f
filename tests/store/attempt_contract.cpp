// The attempt counters behind rate limits, for every backend (same suite as store_contract).
#include <string>

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

TEST_P(StoreContract, FailuresBackOffAndSuccessClears) {
  auto& a = store().attempts();
  const core::BackoffRule rule{2, 8};
  const std::string key = "login:alice@example.com";
  EXPECT_FALSE(*a.backoff_wait(key, kT0));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(a.record_failure(key, rule, kT0));
  EXPECT_FALSE(*a.backoff_wait(key, kT0)) << "two failures are free";
  ASSERT_TRUE(a.record_failure(key, rule, kT0));
  EXPECT_EQ(*a.backoff_wait(key, kT0), 1);
  ASSERT_TRUE(a.record_failure(key, rule, kT0));
  EXPECT_EQ(*a.backoff_wait(key, kT0), 2);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(a.record_failure(key, rule, kT0));
  EXPECT_EQ(*a.backoff_wait(key, kT0), 8) << "capped";
  EXPECT_FALSE(*a.backoff_wait(key, kT0 + 8 * kSec)) << "the wait ends";
  EXPECT_FALSE(*a.backoff_wait("login:bob@example.com", kT0));
  ASSERT_TRUE(a.clear_failures(key));
  ASSERT_TRUE(a.record_failure(key, rule, kT0 + 9 * kSec));
  EXPECT_FALSE(*a.backoff_wait(key, kT0 + 9 * kSec)) << "the count starts afresh";
}

TEST_P(StoreContract, OldFailuresAreForgotten) {
  auto& a = store().attempts();
  const core::BackoffRule rule{1, 4};
  const std::string key = "login:carol@example.com";
  ASSERT_TRUE(a.record_failure(key, rule, kT0));
  ASSERT_TRUE(a.record_failure(key, rule, kT0 + kSec));
  EXPECT_TRUE(*a.backoff_wait(key, kT0 + kSec));
  // After a quiet period of twice the cap, the next failure counts as the first.
  ASSERT_TRUE(a.record_failure(key, rule, kT0 + 20 * kSec));
  EXPECT_FALSE(*a.backoff_wait(key, kT0 + 20 * kSec));
}

}  // namespace
}  // namespace latchkey::store::testing
