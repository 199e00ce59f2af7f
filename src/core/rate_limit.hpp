#pragma once
// In-process attempt limiting. Thread-safe. Memory is bounded: past `max_keys` entries, idle
// ones are dropped first and, under a flood of distinct keys, the oldest.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace latchkey::core {

// One token bucket per key: `capacity` attempts at once, refilled at `per_minute`.
class TokenBuckets {
 public:
  TokenBuckets(double capacity, double per_minute, size_t max_keys = 100000);
  // nullopt if an attempt is allowed now (and takes a token); else seconds until one is.
  std::optional<int> take(std::string_view key, Micros now);

 private:
  struct Bucket {
    double tokens;
    Micros updated;
  };
  void evict(Micros now);

  double capacity_;
  double per_us_;
  size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Consecutive failures per key: the first `free_failures` cost nothing; each one after that
// doubles a wait (from 1 s) before the next attempt, capped at `max_wait_s`, so a guessing
// attacker slows to a crawl while the real user is never locked out for longer than the cap.
// A success clears the key.
class FailureBackoff {
 public:
  FailureBackoff(int free_failures, int max_wait_s, size_t max_keys = 100000);
  // nullopt if an attempt may proceed now; else seconds to wait.
  std::optional<int> retry_after(std::string_view key, Micros now);
  void record_failure(std::string_view key, Micros now);
  void record_success(std::string_view key);

 private:
  struct Entry {
    int failures = 0;
    Micros blocked_until = 0;
    Micros last_failure = 0;
  };
  void evict(Micros now);

  int free_failures_;
  int max_wait_s_;
  size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace latchkey::core
