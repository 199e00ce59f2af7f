#pragma once
#include "store/attempt_store.hpp"
#include "store/item_store.hpp"
#include "store/session_store.hpp"
#include "store/user_store.hpp"

namespace latchkey::store {

// One database backend. Methods may block: call them from a worker pool, never from an
// I/O thread. Implementations are safe to use from several threads at once.
// Driver failures (database gone, disk full) come back as Errc::unavailable or
// Errc::internal; they are never thrown.
class Store : public UserStore, public SessionStore, public ItemStore {
 public:
  // ok if the database answers a trivial query now.
  virtual Result<void> ping() = 0;
  // Short name for logs and /health ("sqlite", "postgres").
  virtual const char* backend_name() const = 0;
  // Rate-limit and backoff counters, shared by every node that shares this database.
  virtual AttemptStore& attempts() = 0;
};

}  // namespace latchkey::store
