#pragma once
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite/connection.hpp"

namespace latchkey::store::sqlite {

// A bounded set of connections, opened lazily. SQLite connections are cheap to keep but
// each holds a file descriptor and its statement cache, so the count is capped; a caller
// that finds all of them busy waits up to the busy timeout, then gets Errc::unavailable.
class ConnectionPool {
 public:
  // `first` (already migrated and set up) becomes the first idle connection.
  ConnectionPool(SqliteOptions options, std::unique_ptr<Connection> first);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Exclusive use of one connection until destroyed.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *c_; }
    Connection* operator->() const { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
  };

  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<Connection> c);

  const SqliteOptions options_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace latchkey::store::sqlite
