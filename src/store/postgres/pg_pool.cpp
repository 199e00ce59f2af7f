#include "store/postgres/pg_pool.hpp"

#include <chrono>

namespace latchkey::store::postgres {

ConnectionPool::ConnectionPool(Opener open, size_t max_connections, int acquire_timeout_ms,
                               std::unique_ptr<PgConnection> first)
    : open_connection_(std::move(open)),
      max_connections_(max_connections),
      acquire_timeout_ms_(acquire_timeout_ms) {
  if (first) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }
}

ConnectionPool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_));
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(acquire_timeout_ms_);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    if (open_ < max_connections_) break;
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_connections_)
      return fail(Error::of(Errc::unavailable, "postgres: all pooled connections busy"));
  }
  ++open_;
  lock.unlock();  // connecting takes a network round trip or a timeout; don't block others

  auto c = open_connection_();
  if (!c) {
    lock.lock();
    --open_;
    freed_.notify_one();  // a waiter may now try itself
    return fail(std::move(c).error());
  }
  return Lease(*this, std::move(*c));
}

void ConnectionPool::release(std::unique_ptr<PgConnection> c) {
  // Store methods always end their transaction; one left open (a bug, or a failure between
  // BEGIN and COMMIT) would carry its locks and its role into the next caller's work, so
  // such a connection is closed rather than reused.
  const bool reusable = !c->broken() && !c->in_transaction();
  std::vector<std::unique_ptr<PgConnection>> stale;
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
      // A lost connection usually means the server restarted or the network dropped: the
      // idle ones are most likely dead too. Closing them now spares each of the next
      // callers one failed attempt.
      if (c->broken()) {
        open_ -= idle_.size();
        stale.swap(idle_);
      }
    }
  }
  freed_.notify_all();
  // `c` and `stale` close outside the lock (PQfinish may send a Terminate message).
}

}  // namespace latchkey::store::postgres
