#include "core/rate_limit.hpp"

#include <gtest/gtest.h>

namespace latchkey::core {
namespace {

constexpr Micros kSec = 1'000'000;
constexpr Micros kT0 = 1000 * kSec;

TEST(TokenBucket, BurstThenRefillAtTheConfiguredRate) {
  const BucketRule rule{3, 60};  // 3 at once, one per second after
  auto b = fresh_bucket(rule, kT0);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(take_token(b, rule, kT0)) << i;
  EXPECT_EQ(take_token(b, rule, kT0), 1);
  EXPECT_TRUE(take_token(b, rule, kT0 + kSec / 2));
  EXPECT_FALSE(take_token(b, rule, kT0 + kSec + kSec / 2));
  EXPECT_FALSE(bucket_is_full(b, rule, kT0 + 2 * kSec));
  EXPECT_TRUE(bucket_is_full(b, rule, kT0 + 5 * kSec));
}

TEST(TokenBucket, SlowRatesGiveLongWaits) {
  const BucketRule rule{1, 1};  // one a minute
  auto b = fresh_bucket(rule, kT0);
  EXPECT_FALSE(take_token(b, rule, kT0));
  EXPECT_EQ(take_token(b, rule, kT0), 60);
}

TEST(Backoff, ReservingCountsTheAttemptUnlessBackingOff) {
  const BackoffRule rule{1, 8};
  BackoffState s;
  EXPECT_FALSE(reserve_attempt(s, rule, kT0));
  EXPECT_FALSE(reserve_attempt(s, rule, kT0)) << "the second turns the backoff on";
  EXPECT_EQ(s.failures, 2);
  EXPECT_TRUE(backoff_is_active(s, kT0));
  EXPECT_EQ(reserve_attempt(s, rule, kT0), 1);
  EXPECT_EQ(s.failures, 2) << "a refused attempt is not counted";
  EXPECT_FALSE(backoff_is_active(s, kT0 + kSec));
}

TEST(Backoff, FreeFailuresThenDoublingWaitsCapped) {
  const BackoffRule rule{3, 8};
  BackoffState s;
  for (int i = 0; i < 3; ++i) record_failure(s, rule, kT0);
  EXPECT_FALSE(backoff_wait(s, kT0)) << "three failures are free";
  record_failure(s, rule, kT0);
  EXPECT_EQ(backoff_wait(s, kT0), 1);
  record_failure(s, rule, kT0 + kSec);
  EXPECT_EQ(backoff_wait(s, kT0 + kSec), 2);
  for (int i = 0; i < 40; ++i) record_failure(s, rule, kT0 + 2 * kSec);
  EXPECT_EQ(backoff_wait(s, kT0 + 2 * kSec), 8) << "never longer than the cap";
  EXPECT_FALSE(backoff_wait(s, kT0 + 11 * kSec)) << "the real user gets back in";
  EXPECT_TRUE(backoff_is_stale(s, rule, kT0 + 30 * kSec));
}

}  // namespace
}  // namespace latchkey::core
