#pragma once
// Attempt limiting arithmetic, shared by every backend that keeps the counters (in memory for
// the embedded store, in the database when several nodes must share them).
#include <cstdint>
#include <optional>

#include "core/clock.hpp"

namespace latchkey::core {

// A token bucket: `capacity` attempts at once, refilled continuously at `per_minute`.
struct BucketState {
  double tokens = 0;
  Micros updated = 0;
};
struct BucketRule {
  double capacity = 60;
  double per_minute = 60;
};
// The state of a key never seen before.
BucketState fresh_bucket(const BucketRule& rule, Micros now);
// Refills, then takes one token: nullopt if the attempt is allowed, else whole seconds (>= 1)
// until a token will be there. `state` is updated either way.
std::optional<int> take_token(BucketState& state, const BucketRule& rule, Micros now);
// True once the bucket has refilled completely: such a row carries no information.
bool bucket_is_full(const BucketState& state, const BucketRule& rule, Micros now);

// Consecutive failures of one key: the first `free_failures` cost nothing; each one after
// doubles a wait (from 1 s) before the next attempt, capped at `max_wait_s`, so guessing slows
// to a crawl while the real user is never locked out longer than the cap. Failures older than
// twice the cap are forgotten. A success clears the key.
struct BackoffState {
  int failures = 0;
  Micros blocked_until = 0;
  Micros last_failure = 0;
};
struct BackoffRule {
  int free_failures = 5;
  int max_wait_s = 900;
};
// nullopt if an attempt may proceed now, else whole seconds (>= 1) to wait.
std::optional<int> backoff_wait(const BackoffState& state, Micros now);
void record_failure(BackoffState& state, const BackoffRule& rule, Micros now);
// backoff_wait, and if the attempt may proceed, record_failure in the same step: the attempt
// counts as failed until a success clears the key. Reserving before the (slow) password check
// means concurrent guesses cannot all pass the check before any of them is counted.
std::optional<int> reserve_attempt(BackoffState& state, const BackoffRule& rule, Micros now);
// True while the key is refused: such a row must never be forgotten to make room.
bool backoff_is_active(const BackoffState& state, Micros now);
bool backoff_is_stale(const BackoffState& state, const BackoffRule& rule, Micros now);

}  // namespace latchkey::core
