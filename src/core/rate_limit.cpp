#include "core/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace latchkey::core {
namespace {

constexpr Micros kSecond = 1'000'000;

int whole_seconds(Micros d) { return std::max(1, int((d + kSecond - 1) / kSecond)); }

double per_us(const BucketRule& rule) { return rule.per_minute / 60.0 / double(kSecond); }

}  // namespace

BucketState fresh_bucket(const BucketRule& rule, Micros now) { return {rule.capacity, now}; }

std::optional<int> take_token(BucketState& s, const BucketRule& rule, Micros now) {
  const double rate = per_us(rule);
  s.tokens =
      std::min(rule.capacity, s.tokens + double(std::max<Micros>(0, now - s.updated)) * rate);
  s.updated = std::max(s.updated, now);
  if (s.tokens >= 1.0) {
    s.tokens -= 1.0;
    return std::nullopt;
  }
  return whole_seconds(Micros(std::ceil((1.0 - s.tokens) / rate)));
}

bool bucket_is_full(const BucketState& s, const BucketRule& rule, Micros now) {
  return s.tokens + double(std::max<Micros>(0, now - s.updated)) * per_us(rule) >= rule.capacity;
}

std::optional<int> backoff_wait(const BackoffState& s, Micros now) {
  if (s.blocked_until <= now) return std::nullopt;
  return whole_seconds(s.blocked_until - now);
}

void record_failure(BackoffState& s, const BackoffRule& rule, Micros now) {
  if (backoff_is_stale(s, rule, now)) s = BackoffState{};
  ++s.failures;
  s.last_failure = now;
  const int over = s.failures - rule.free_failures;
  if (over > 0) {
    const int wait = over >= 30 ? rule.max_wait_s : std::min(rule.max_wait_s, 1 << (over - 1));
    s.blocked_until = now + Micros(wait) * kSecond;
  }
}

std::optional<int> reserve_attempt(BackoffState& s, const BackoffRule& rule, Micros now) {
  if (auto wait = backoff_wait(s, now)) return wait;
  record_failure(s, rule, now);
  return std::nullopt;
}

bool backoff_is_active(const BackoffState& s, Micros now) { return s.blocked_until > now; }

bool backoff_is_stale(const BackoffState& s, const BackoffRule& rule, Micros now) {
  return s.failures > 0 && now - s.last_failure > Micros(rule.max_wait_s) * kSecond * 2;
}

}  // namespace latchkey::core
