#include "store/sqlite/group_commit.hpp"

#include <algorithm>
#include <utility>

namespace latchkey::store::sqlite {

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> c)
    : conn_(std::move(c)), thread_([this] { loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

Result<void> GroupCommitWriter::run(const Body& body) {
  Job job{&body, {}, nullptr};
  std::unique_lock lock(mu_);
  if (stopping_)
    return fail(Error::of(Errc::unavailable, "sqlite: store is shutting down"));
  queue_.push_back(&job);
  ++stats_.submitted;
  // Wakes the writer if it is idle. If it is busy committing, the job waits in the queue
  // and goes into the next batch: that wait is what makes batches form, and an idle store
  // commits a lone write at once.
  work_.notify_one();
  done_.wait(lock, [&] { return job.done; });
  lock.unlock();
  if (job.thrown) std::rethrow_exception(job.thrown);
  return std::move(job.outcome);
}

WriteStats GroupCommitWriter::stats() const {
  std::lock_guard lock(mu_);
  WriteStats s = stats_;
  s.queued = queue_.size();
  return s;
}

void GroupCommitWriter::loop() {
  std::vector<Job*> batch;
  batch.reserve(kMaxBatch);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      // Stopping still drains: every queued caller gets its answer before the join.
      if (queue_.empty()) return;
      const size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    run_batch(batch);
  }
}

void GroupCommitWriter::run_batch(std::vector<Job*>& batch) {
  if (auto r = step("BEGIN IMMEDIATE"); !r) {
    complete(batch, batch.size(), r);
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (auto r = run_job(*batch[i]); !r) {
      // The transaction is gone, taking jobs [0, i] with it: they get the error. Jobs after
      // i have not run yet; they go back to the front of the queue for the next batch.
      rollback_if_open();
      {
        std::lock_guard lock(mu_);
        queue_.insert(queue_.begin(), batch.begin() + static_cast<std::ptrdiff_t>(i + 1),
                      batch.end());
      }
      complete(batch, i + 1, r);
      return;
    }
  }
  auto committed = step("COMMIT");
  if (!committed) rollback_if_open();
  complete(batch, batch.size(), committed);
}

Result<void> GroupCommitWriter::run_job(Job& job) {
  if (auto r = step("SAVEPOINT job"); !r) return r;
  bool keep = false;
  try {
    keep = (*job.body)(*conn_);
  } catch (...) {
    job.thrown = std::current_exception();  // rethrown to the caller; its writes are undone
  }
  // Some errors (disk full, I/O, out of memory) make SQLite roll back the whole transaction
  // by itself; then the earlier jobs' writes are gone too, and nothing may be committed.
  if (sqlite3_get_autocommit(conn_->db()))
    return fail(Error::of(Errc::unavailable, "sqlite: the write transaction was rolled back by the database"));
  if (!keep) {
    if (auto r = step("ROLLBACK TO job"); !r) return r;
  }
  return step("RELEASE job");
}

Result<void> GroupCommitWriter::step(const char* sql) {
  auto q = conn_->query(sql);
  if (!q) return fail(std::move(q).error());
  return q->run();
}

void GroupCommitWriter::rollback_if_open() {
  if (!sqlite3_get_autocommit(conn_->db())) (void)conn_->exec("ROLLBACK");
}

void GroupCommitWriter::complete(const std::vector<Job*>& batch, size_t n,
                                 const Result<void>& outcome) {
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < n; ++i) {
      batch[i]->outcome = outcome;
      batch[i]->done = true;  // after this the job's caller may return and free it
    }
    stats_.completed += n;
    if (outcome) ++stats_.commits;
  }
  done_.notify_all();
}

}  // namespace latchkey::store::sqlite
