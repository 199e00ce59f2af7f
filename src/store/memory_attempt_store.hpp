#pragma once
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/attempt_store.hpp"

namespace latchkey::store {

// Counters in process memory: right for a backend that only one process serves (SQLite, whose
// data directory is locked by one latchkey). Bounded: past `max_keys` entries the ones that
// carry no information are dropped, and under a flood of distinct keys everything is.
class MemoryAttemptStore final : public AttemptStore {
 public:
  explicit MemoryAttemptStore(size_t max_keys = 100000) : max_keys_(max_keys) {}

  Result<std::optional<int>> take_token(std::string_view key, const core::BucketRule& rule,
                                        core::Micros now) override;
  Result<std::optional<int>> backoff_wait(std::string_view key, core::Micros now) override;
  Result<void> record_failure(std::string_view key, const core::BackoffRule& rule,
                              core::Micros now) override;
  Result<void> clear_failures(std::string_view key) override;

 private:
  struct Bucket {
    core::BucketState state;
    core::BucketRule rule;
  };
  struct Failures {
    core::BackoffState state;
    core::BackoffRule rule;
  };

  size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::unordered_map<std::string, Failures> failures_;
};

}  // namespace latchkey::store
