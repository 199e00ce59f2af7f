#include "core/rate_limit.hpp"

#include <gtest/gtest.h>

namespace latchkey::core {
namespace {

constexpr Micros kSec = 1'000'000;

TEST(TokenBuckets, BurstThenRefillAtTheConfiguredRate) {
  TokenBuckets buckets(3, 60);  // 3 at once, one per second after
  const Micros t0 = 1000 * kSec;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(buckets.take("ip", t0)) << i;
  EXPECT_EQ(buckets.take("ip", t0), 1);
  EXPECT_TRUE(buckets.take("ip", t0 + kSec / 2));
  EXPECT_FALSE(buckets.take("ip", t0 + kSec + kSec / 2));
  EXPECT_FALSE(buckets.take("other", t0)) << "keys are independent";
}

TEST(TokenBuckets, MemoryStaysBoundedUnderDistinctKeys) {
  TokenBuckets buckets(1, 1, 100);
  for (int i = 0; i < 10000; ++i) EXPECT_FALSE(buckets.take("k" + std::to_string(i), kSec));
}

TEST(FailureBackoff, FreeFailuresThenDoublingWaitsCappedAndClearedBySuccess) {
  FailureBackoff backoff(3, 8);
  const Micros t0 = 1000 * kSec;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(backoff.retry_after("a", t0));
    backoff.record_failure("a", t0);
  }
  EXPECT_FALSE(backoff.retry_after("a", t0)) << "three failures are free";
  backoff.record_failure("a", t0);
  EXPECT_EQ(backoff.retry_after("a", t0), 1);
  backoff.record_failure("a", t0 + kSec);
  EXPECT_EQ(backoff.retry_after("a", t0 + kSec), 2);
  for (int i = 0; i < 10; ++i) backoff.record_failure("a", t0 + 2 * kSec);
  EXPECT_EQ(backoff.retry_after("a", t0 + 2 * kSec), 8) << "never longer than the cap";
  EXPECT_FALSE(backoff.retry_after("a", t0 + 11 * kSec)) << "the real user gets back in";
  EXPECT_FALSE(backoff.retry_after("b", t0 + 2 * kSec));
  backoff.record_success("a");
  backoff.record_failure("a", t0 + 12 * kSec);
  EXPECT_FALSE(backoff.retry_after("a", t0 + 12 * kSec)) << "success starts the count afresh";
}

}  // namespace
}  // namespace latchkey::core
