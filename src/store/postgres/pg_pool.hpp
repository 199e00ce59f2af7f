#pragma once
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.hpp"
#include "store/postgres/pg_connection.hpp"

namespace latchkey::store::postgres {

// A bounded set of connections, opened lazily. A caller that finds all of them busy waits
// up to `acquire_timeout_ms`, then gets Errc::unavailable. A connection that broke (server
// restarted, network gone) is not put back; the next caller opens a fresh one, so the store
// recovers by itself once the server is back.
class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<PgConnection>>()>;
  // `first` (already open) becomes the first idle connection; may be null.
  ConnectionPool(Opener open, size_t max_connections, int acquire_timeout_ms,
                 std::unique_ptr<PgConnection> first);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Exclusive use of one connection until destroyed.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<PgConnection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *c_; }
    PgConnection* operator->() const { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<PgConnection> c_;
  };

  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<PgConnection> c);

  const Opener open_connection_;
  const size_t max_connections_;
  const int acquire_timeout_ms_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace latchkey::store::postgres
