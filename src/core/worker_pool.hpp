#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace latchkey::core {

// A fixed set of threads with a bounded queue, for blocking work (hashing, database calls)
// that must never run on I/O threads. A full queue refuses new work instead of growing,
// so overload turns into quick 503s rather than unbounded latency and memory.
class WorkerPool {
 public:
  // `nice` > 0 lowers the threads' CPU priority (Linux per-thread nice), so that CPU-bound
  // work in this pool yields to latency-sensitive threads when cores are scarce.
  WorkerPool(std::string name, size_t threads, size_t max_queued, int nice = 0);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // false (and `job` is dropped) if the queue is full or the pool is stopping.
  bool try_submit(std::function<void()> job);
  // Queues `job` even past the bound; false (and `job` is dropped) only once stopping. For
  // the few jobs that must not be lost and are bounded elsewhere.
  bool submit_unbounded(std::function<void()> job);
  // Runs every queued job, then joins the threads. Idempotent.
  void shutdown();

 private:
  bool push(std::function<void()> job, bool bounded);
  void run(int nice);

  std::string name_;
  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace latchkey::core
