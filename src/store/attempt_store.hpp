#pragma once
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/rate_limit.hpp"

namespace latchkey::store {

// Counters behind rate limits and login backoff. Keys are opaque ("ip:1.2.3.4",
// "login:alice@example.com"). A backend shared by several nodes keeps them where every node
// sees them, so limits hold across the cluster. Failures of the counter store itself come back
// as errors; callers decide whether to fail open or closed.
class AttemptStore {
 public:
  virtual ~AttemptStore() = default;
  // Takes one token from `key`'s bucket: nullopt if allowed, else seconds to wait.
  virtual Result<std::optional<int>> take_token(std::string_view key, const core::BucketRule& rule,
                                                core::Micros now) = 0;
  // Atomically: seconds to wait if `key` is backing off, else nullopt after counting this
  // attempt as a failure (core::reserve_attempt). Concurrent calls on one key are serialized,
  // so N parallel guesses are counted as N failures before any password is checked.
  virtual Result<std::optional<int>> reserve_attempt(std::string_view key,
                                                     const core::BackoffRule& rule,
                                                     core::Micros now) = 0;
  // After a success: forgets the key's failures, the reserved one included.
  virtual Result<void> clear_failures(std::string_view key) = 0;
};

}  // namespace latchkey::store
