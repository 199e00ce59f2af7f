#include "core/worker_pool.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace latchkey::core {

WorkerPool::WorkerPool(std::string name, size_t threads, size_t max_queued, int nice)
    : name_(std::move(name)), max_queued_(max_queued) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, nice] { run(nice); });
    pthread_setname_np(threads_.back().native_handle(), name_.substr(0, 15).c_str());
  }
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::try_submit(std::function<void()> job) { return push(std::move(job), true); }

bool WorkerPool::submit_unbounded(std::function<void()> job) { return push(std::move(job), false); }

bool WorkerPool::push(std::function<void()> job, bool bounded) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || (bounded && queue_.size() >= max_queued_)) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::run(int nice) {
  // Best effort: without the privilege to change priority the pool still works.
  if (nice != 0) (void)setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), nice);
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace latchkey::core
