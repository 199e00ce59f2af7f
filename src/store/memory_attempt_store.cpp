#include "store/memory_attempt_store.hpp"

namespace latchkey::store {
namespace {

// How many cold entries one insertion may look at before giving up: keeps a table full of
// limiting entries from costing a full scan per attempt.
constexpr size_t kMaxEvictionScan = 64;

Error table_full() {
  return Error::of(Errc::unavailable, "attempt counters full of active limits").retry_after(1);
}

}  // namespace

template <class State, class Evictable>
State* MemoryAttemptStore::find_or_add(Lru<State>& lru, std::string_view key, const State& fresh,
                                       Evictable evictable) {
  if (auto it = lru.index.find(key); it != lru.index.end()) {
    lru.order.splice(lru.order.begin(), lru.order, it->second);
    return &it->second->state;
  }
  if (lru.index.size() >= max_keys_) {
    // Walk from the cold end; entries that must stay are moved to the front, so the next
    // walk looks at others.
    bool freed = false;
    for (size_t scanned = 0; scanned < kMaxEvictionScan && !lru.order.empty(); ++scanned) {
      auto last = std::prev(lru.order.end());
      if (evictable(last->state)) {
        lru.index.erase(last->key);
        lru.order.erase(last);
        freed = true;
        break;
      }
      lru.order.splice(lru.order.begin(), lru.order, last);
    }
    if (!freed) return nullptr;
  }
  lru.order.push_front({std::string(key), fresh});
  lru.index.emplace(lru.order.front().key, lru.order.begin());
  return &lru.order.front().state;
}

Result<std::optional<int>> MemoryAttemptStore::take_token(std::string_view key,
                                                          const core::BucketRule& rule,
                                                          core::Micros now) {
  std::lock_guard lock(mu_);
  // A bucket may be forgotten once a fresh one would allow what it allows: at least one token.
  auto* bucket = find_or_add(buckets_, key, Bucket{core::fresh_bucket(rule, now), rule},
                             [&](const Bucket& b) {
                               core::BucketState probe = b.state;
                               return !core::take_token(probe, b.rule, now);
                             });
  if (!bucket) return fail(table_full());
  bucket->rule = rule;
  return core::take_token(bucket->state, rule, now);
}

Result<std::optional<int>> MemoryAttemptStore::reserve_attempt(std::string_view key,
                                                               const core::BackoffRule& rule,
                                                               core::Micros now) {
  std::lock_guard lock(mu_);
  auto* state = find_or_add(failures_, key, core::BackoffState{},
                            [&](const core::BackoffState& s) {
                              return !core::backoff_is_active(s, now);
                            });
  if (!state) return fail(table_full());
  return core::reserve_attempt(*state, rule, now);
}

Result<void> MemoryAttemptStore::clear_failures(std::string_view key) {
  std::lock_guard lock(mu_);
  if (auto it = failures_.index.find(key); it != failures_.index.end()) {
    auto entry = it->second;
    failures_.index.erase(it);
    failures_.order.erase(entry);
  }
  return {};
}

size_t MemoryAttemptStore::size() const {
  std::lock_guard lock(mu_);
  return buckets_.index.size() + failures_.index.size();
}

}  // namespace latchkey::store
