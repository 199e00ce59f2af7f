#pragma once
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/attempt_store.hpp"

namespace latchkey::store {

// Counters in process memory: right for a backend that only one process serves (SQLite, whose
// data directory is locked by one latchkey).
//
// Bounded at `max_keys` entries per kind. To make room, the least recently used entries are
// forgotten, but never one that is limiting right now (an empty bucket, a key backing off):
// otherwise an attacker could flood distinct keys to wipe a victim's backoff. If no entry
// near the cold end may go, the attempt is refused as unavailable (fail closed) rather than
// counted nowhere.
class MemoryAttemptStore final : public AttemptStore {
 public:
  explicit MemoryAttemptStore(size_t max_keys = 100000) : max_keys_(max_keys) {}

  Result<std::optional<int>> take_token(std::string_view key, const core::BucketRule& rule,
                                        core::Micros now) override;
  Result<std::optional<int>> reserve_attempt(std::string_view key, const core::BackoffRule& rule,
                                             core::Micros now) override;
  Result<void> clear_failures(std::string_view key) override;

  // Entries held now (buckets + failure counters), for tests.
  size_t size() const;

 private:
  // Entries in least-recently-used order; a map from key to its place in the list.
  template <class State>
  struct Lru {
    struct Entry {
      std::string key;
      State state;
    };
    std::list<Entry> order;  // front: most recently used
    std::unordered_map<std::string_view, typename std::list<Entry>::iterator> index;
  };
  struct Bucket {
    core::BucketState state;
    core::BucketRule rule;
  };

  // The entry for `key`, created if missing (evicting as above); nullptr if no room.
  template <class State, class Evictable>
  State* find_or_add(Lru<State>& lru, std::string_view key, const State& fresh,
                     Evictable evictable);

  const size_t max_keys_;
  mutable std::mutex mu_;
  Lru<Bucket> buckets_;
  Lru<core::BackoffState> failures_;
};

}  // namespace latchkey::store
