#pragma once
// Group commit: every store write runs on one writer thread, and the writes that queue up
// while one COMMIT is being fsynced are committed together by the next one.
//
// Why this stays durable with synchronous=FULL: a caller's statements run inside the batch
// transaction, and run() returns only after that transaction's COMMIT has returned, and in
// WAL mode with synchronous=FULL a COMMIT returns only after the WAL has been fsynced. So
// when a store write method returns success, its rows are on disk, exactly as with one
// transaction per call; only the number of fsyncs shared between callers changes.
//
// Why each caller still gets its own outcome: each job runs inside its own SAVEPOINT. A job
// that fails (UNIQUE violation, not found) or chooses to discard its writes is rolled back
// to its savepoint without touching the jobs before or after it in the batch. If the batch
// as a whole cannot commit (disk full, I/O error, lock timeout), every job in it gets that
// error and none of their writes are in the database.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace latchkey::store::sqlite {

class GroupCommitWriter {
 public:
  // A job's statements. Runs on the writer thread, on the writer's connection, inside a
  // savepoint of the batch transaction. Returns true to keep its writes, false to undo them.
  using Body = std::function<bool(Connection&)>;

  // Bounds how many callers one COMMIT releases at once (and how long the write lock is
  // held); more queued jobs simply go into the next batch.
  static constexpr size_t kMaxBatch = 256;

  // `c` is a migrated connection with the owner views installed; only the writer uses it.
  explicit GroupCommitWriter(std::unique_ptr<Connection> c);
  // Runs every job still queued, then stops the writer thread.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `body` in the next batch and returns once that batch has committed or failed.
  // ok: the COMMIT (and its fsync) returned, so whatever `body` kept is durable. Otherwise
  // the error that stopped the batch (Errc::unavailable for busy/full/I-O), and nothing
  // `body` wrote is in the database. Anything `body` throws is rethrown here (after its
  // writes were rolled back), since an exception is a bug of the caller's.
  Result<void> run(const Body& body);

  WriteStats stats() const;

 private:
  struct Job {
    const Body* body;
    Result<void> outcome;
    std::exception_ptr thrown;
    bool done = false;
  };

  void loop();
  void run_batch(std::vector<Job*>& batch);
  // The job's savepoint, body and release. An error means the batch transaction is gone.
  Result<void> run_job(Job& job);
  Result<void> step(const char* sql);
  void rollback_if_open();
  // Marks batch[0, n) done with `outcome` and wakes their callers.
  void complete(const std::vector<Job*>& batch, size_t n, const Result<void>& outcome);

  std::unique_ptr<Connection> conn_;  // used only on the writer thread

  mutable std::mutex mu_;
  std::condition_variable work_;  // the writer waits here for jobs
  std::condition_variable done_;  // callers wait here for their batch
  std::deque<Job*> queue_;        // jobs live on their callers' stacks until done
  bool stopping_ = false;
  WriteStats stats_;

  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace latchkey::store::sqlite
