#include "store/memory_attempt_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace latchkey::store {
namespace {

constexpr core::Micros kSec = 1'000'000;
constexpr core::Micros kT0 = 1000 * kSec;
const core::BackoffRule kBackoff{2, 900};
const core::BucketRule kBucket{2, 1};  // two at once, then one a minute

std::string key(int i) { return "k" + std::to_string(i); }

// Issue 8: at 100k keys the table used to be cleared, wiping a victim's backoff exactly when
// an attacker floods distinct keys.
TEST(MemoryAttemptStore, AFloodOfKeysNeverForgetsAKeyThatIsBackingOff) {
  MemoryAttemptStore a(8);
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(*a.reserve_attempt("victim", kBackoff, kT0));
  ASSERT_TRUE(*a.reserve_attempt("victim", kBackoff, kT0)) << "backing off";
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(a.reserve_attempt(key(i), kBackoff, kT0 + kSec / 2));
  auto wait = a.reserve_attempt("victim", kBackoff, kT0 + kSec / 2);
  ASSERT_TRUE(wait);
  EXPECT_TRUE(*wait) << "still backing off after the flood";
  EXPECT_LE(a.size(), 8u);
}

TEST(MemoryAttemptStore, AFloodOfKeysNeverRefillsAnEmptyBucket) {
  MemoryAttemptStore a(8);
  ASSERT_FALSE(*a.take_token("ip:victim", kBucket, kT0));
  ASSERT_FALSE(*a.take_token("ip:victim", kBucket, kT0));
  ASSERT_TRUE(*a.take_token("ip:victim", kBucket, kT0)) << "limited";
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(a.take_token(key(i), kBucket, kT0 + kSec));
  auto wait = a.take_token("ip:victim", kBucket, kT0 + kSec);
  ASSERT_TRUE(wait);
  EXPECT_TRUE(*wait) << "still limited after the flood";
  EXPECT_LE(a.size(), 8u);
}

TEST(MemoryAttemptStore, LeastRecentlyUsedIdleKeysGoFirst) {
  MemoryAttemptStore a(3);
  // One failure each: counted, not backing off, so evictable.
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(*a.reserve_attempt(key(i), kBackoff, kT0));
  ASSERT_FALSE(*a.reserve_attempt(key(0), kBackoff, kT0));  // k0 is now the most recent
  ASSERT_FALSE(*a.reserve_attempt(key(3), kBackoff, kT0));  // evicts k1, the oldest
  // k0 kept its two failures: a third attempt goes ahead and turns on the backoff.
  ASSERT_FALSE(*a.reserve_attempt(key(0), kBackoff, kT0));
  EXPECT_TRUE(*a.reserve_attempt(key(0), kBackoff, kT0));
  // k1 was forgotten: it starts afresh (two free failures again).
  EXPECT_FALSE(*a.reserve_attempt(key(1), kBackoff, kT0));
  EXPECT_FALSE(*a.reserve_attempt(key(1), kBackoff, kT0));
}

TEST(MemoryAttemptStore, FailsClosedWhenEveryEntryIsLimiting) {
  MemoryAttemptStore a(2);
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(*a.reserve_attempt(key(k), kBackoff, kT0));
  }
  auto r = a.reserve_attempt("newcomer", kBackoff, kT0);
  ASSERT_FALSE(r) << "no room without forgetting a backoff";
  EXPECT_EQ(r.error().code, Errc::unavailable);
  // Once the backoffs have run out, there is room again.
  EXPECT_TRUE(a.reserve_attempt("newcomer", kBackoff, kT0 + 2 * kSec));
}

TEST(MemoryAttemptStore, ClearForgetsTheKey) {
  MemoryAttemptStore a(4);
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(*a.reserve_attempt("k", kBackoff, kT0));
  ASSERT_TRUE(a.clear_failures("k"));
  EXPECT_EQ(a.size(), 0u);
  EXPECT_FALSE(*a.reserve_attempt("k", kBackoff, kT0));
}

}  // namespace
}  // namespace latchkey::store
