#include "store/memory_attempt_store.hpp"

namespace latchkey::store {

Result<std::optional<int>> MemoryAttemptStore::take_token(std::string_view key,
                                                          const core::BucketRule& rule,
                                                          core::Micros now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      std::erase_if(buckets_, [&](const auto& kv) {
        return core::bucket_is_full(kv.second.state, kv.second.rule, now);
      });
      if (buckets_.size() >= max_keys_) buckets_.clear();
    }
    it = buckets_.emplace(std::string(key), Bucket{core::fresh_bucket(rule, now), rule}).first;
  }
  it->second.rule = rule;
  return core::take_token(it->second.state, rule, now);
}

Result<std::optional<int>> MemoryAttemptStore::backoff_wait(std::string_view key,
                                                            core::Micros now) {
  std::lock_guard lock(mu_);
  const auto it = failures_.find(std::string(key));
  if (it == failures_.end()) return std::optional<int>();
  return core::backoff_wait(it->second.state, now);
}

Result<void> MemoryAttemptStore::record_failure(std::string_view key, const core::BackoffRule& rule,
                                                core::Micros now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(std::string(key));
  if (it == failures_.end()) {
    if (failures_.size() >= max_keys_) {
      std::erase_if(failures_, [&](const auto& kv) {
        return core::backoff_is_stale(kv.second.state, kv.second.rule, now);
      });
      if (failures_.size() >= max_keys_) failures_.clear();
    }
    it = failures_.emplace(std::string(key), Failures{{}, rule}).first;
  }
  it->second.rule = rule;
  core::record_failure(it->second.state, rule, now);
  return {};
}

Result<void> MemoryAttemptStore::clear_failures(std::string_view key) {
  std::lock_guard lock(mu_);
  failures_.erase(std::string(key));
  return {};
}

}  // namespace latchkey::store
