#include "store/sqlite/connection_pool.hpp"

#include <chrono>

namespace latchkey::store::sqlite {

ConnectionPool::ConnectionPool(SqliteOptions options, std::unique_ptr<Connection> first)
    : options_(std::move(options)) {
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
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    if (open_ < options_.max_connections) break;
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty())
      return fail(Error::of(Errc::unavailable, "sqlite: all pooled connections busy"));
  }
  ++open_;
  lock.unlock();  // opening touches the file system; don't hold up other callers

  auto c = Connection::open(options_);
  Result<void> ready = c ? (*c)->install_owner_views() : Result<void>();
  if (!c || !ready) {
    lock.lock();
    --open_;
    freed_.notify_one();  // a waiter may now open one itself
    return fail(c ? std::move(ready).error() : std::move(c).error());
  }
  return Lease(*this, std::move(*c));
}

void ConnectionPool::release(std::unique_ptr<Connection> c) {
  // A store method always commits or rolls back; this guards against a bug leaving a write
  // transaction open, which would block every other writer forever.
  if (!sqlite3_get_autocommit(c->db())) (void)c->exec("ROLLBACK");
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
  }
  freed_.notify_one();
}

}  // namespace latchkey::store::sqlite
