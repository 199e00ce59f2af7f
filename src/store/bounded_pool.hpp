#pragma once
// The connection pool of every backend: at most `max_connections` connections, opened on
// demand by the backend's opener. A caller that finds all of them busy waits up to
// `acquire_timeout_ms`, then gets Errc::unavailable. The backend decides, when a lease ends,
// whether its connection may serve the next caller (see Returned).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace latchkey::store {

// What happens to a connection a lease hands back.
enum class Returned {
  reuse,       // idle again, for the next caller
  close,       // not fit for reuse (e.g. left inside a transaction): closed, its slot freed
  close_idle,  // broken: closed, and the idle ones too, which most likely broke with it (the
               // server restarted, the network dropped); this spares each of the next callers
               // one failed attempt
};

struct PoolLimits {
  size_t max_connections = 8;
  int acquire_timeout_ms = 5000;
};

template <class Conn>
class BoundedPool {
 public:
  // Opens one more connection. Called without the pool's lock held: opening may take a
  // network round trip or touch the file system.
  using Opener = std::function<Result<std::unique_ptr<Conn>>()>;
  // Makes a returned connection ready for the next caller, or says it cannot be. Called
  // without the pool's lock held.
  using Recycler = std::function<Returned(Conn&)>;

  // `name` prefixes the log detail of errors ("sqlite", "postgres"). `first` (already open;
  // may be null) becomes the first idle connection.
  BoundedPool(std::string name, PoolLimits limits, Opener open, Recycler recycle,
              std::unique_ptr<Conn> first = nullptr)
      : name_(std::move(name)),
        limits_(limits),
        open_connection_(std::move(open)),
        recycle_(std::move(recycle)) {
    if (first) {
      idle_.push_back(std::move(first));
      open_ = 1;
    }
  }
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  // Exclusive use of one connection until destroyed, which hands it back.
  class Lease {
   public:
    Lease(Lease&& o) noexcept : pool_(o.pool_), c_(std::move(o.c_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) pool_->release(std::move(c_));
    }
    Conn& operator*() const { return *c_; }
    Conn* operator->() const { return c_.get(); }

   private:
    friend class BoundedPool;
    Lease(BoundedPool& pool, std::unique_ptr<Conn> c) : pool_(&pool), c_(std::move(c)) {}
    BoundedPool* pool_;
    std::unique_ptr<Conn> c_;
  };

  // An idle connection, or a new one while fewer than max_connections are open; otherwise
  // waits for one to come back. unavailable after the wait bound, or the opener's error.
  Result<Lease> acquire() {
    std::unique_lock lock(mu_);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(limits_.acquire_timeout_ms);
    for (;;) {
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(c));
      }
      if (open_ < limits_.max_connections) break;
      if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= limits_.max_connections)
        return fail(Error::of(Errc::unavailable, name_ + ": all pooled connections busy"));
    }
    ++open_;  // the slot is taken while the connection is being opened
    lock.unlock();

    auto c = open_connection_();
    if (!c) {
      lock.lock();
      --open_;
      freed_.notify_one();  // a waiter may now open one itself
      return fail(std::move(c).error());
    }
    return Lease(*this, std::move(*c));
  }

 private:
  void release(std::unique_ptr<Conn> c) {
    const Returned verdict = recycle_(*c);
    std::vector<std::unique_ptr<Conn>> closing;
    {
      std::lock_guard lock(mu_);
      if (verdict == Returned::reuse) {
        idle_.push_back(std::move(c));
      } else {
        --open_;
        if (verdict == Returned::close_idle) {
          open_ -= idle_.size();
          closing.swap(idle_);
        }
      }
    }
    freed_.notify_all();
    // `c` and `closing` are closed here, outside the lock (closing may talk to the server).
  }

  const std::string name_;
  const PoolLimits limits_;
  const Opener open_connection_;
  const Recycler recycle_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> idle_;
  size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace latchkey::store
