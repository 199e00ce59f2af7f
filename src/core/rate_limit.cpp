#include "core/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace latchkey::core {
namespace {

constexpr Micros kSecond = 1'000'000;

int seconds_until(Micros now, Micros then) {
  return std::max(1, int((then - now + kSecond - 1) / kSecond));
}

}  // namespace

TokenBuckets::TokenBuckets(double capacity, double per_minute, size_t max_keys)
    : capacity_(capacity), per_us_(per_minute / 60.0 / double(kSecond)), max_keys_(max_keys) {}

std::optional<int> TokenBuckets::take(std::string_view key, Micros now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) evict(now);
    it = buckets_.emplace(std::string(key), Bucket{capacity_, now}).first;
  }
  auto& b = it->second;
  b.tokens = std::min(capacity_, b.tokens + double(std::max<Micros>(0, now - b.updated)) * per_us_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return seconds_until(now, now + Micros(std::ceil((1.0 - b.tokens) / per_us_)));
}

void TokenBuckets::evict(Micros now) {
  // Full buckets carry no information: drop them. If none is full, drop everything older
  // than the time to refill one token, and as a last resort start afresh.
  std::erase_if(buckets_, [&](const auto& kv) {
    return kv.second.tokens + double(now - kv.second.updated) * per_us_ >= capacity_;
  });
  if (buckets_.size() >= max_keys_) buckets_.clear();
}

FailureBackoff::FailureBackoff(int free_failures, int max_wait_s, size_t max_keys)
    : free_failures_(free_failures), max_wait_s_(max_wait_s), max_keys_(max_keys) {}

std::optional<int> FailureBackoff::retry_after(std::string_view key, Micros now) {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.blocked_until <= now) return std::nullopt;
  return seconds_until(now, it->second.blocked_until);
}

void FailureBackoff::record_failure(std::string_view key, Micros now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) evict(now);
    it = entries_.emplace(std::string(key), Entry{}).first;
  }
  auto& e = it->second;
  // Failures older than the cap are forgotten: the count restarts after a quiet period.
  if (e.failures > 0 && now - e.last_failure > Micros(max_wait_s_) * kSecond * 2) e.failures = 0;
  ++e.failures;
  e.last_failure = now;
  const int over = e.failures - free_failures_;
  if (over > 0) {
    const int wait = over >= 30 ? max_wait_s_ : std::min(max_wait_s_, 1 << (over - 1));
    e.blocked_until = now + Micros(wait) * kSecond;
  }
}

void FailureBackoff::record_success(std::string_view key) {
  std::lock_guard lock(mu_);
  entries_.erase(std::string(key));
}

void FailureBackoff::evict(Micros now) {
  std::erase_if(entries_, [&](const auto& kv) {
    return now - kv.second.last_failure > Micros(max_wait_s_) * kSecond * 2;
  });
  if (entries_.size() >= max_keys_) entries_.clear();
}

}  // namespace latchkey::core
