#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/statement_observer.hpp"
#include "store/store.hpp"

namespace latchkey::store::sqlite {

struct SqliteOptions {
  // Database file; created if missing. Tests use a file in a temporary directory rather than
  // ":memory:", because each pooled connection must see the same database.
  std::string path;
  // How long a writer waits for another connection's write lock before giving up with
  // Errc::unavailable; also how long a caller waits for a free pooled connection.
  int busy_timeout_ms = 5000;
  // Pooled connections for reads. Writes do not use them: they all go through one more
  // connection owned by the group-commit writer thread (group_commit.hpp).
  size_t max_connections = 8;
  // FULL: every commit is fsynced, so a committed write survives power loss. NORMAL in WAL
  // mode can lose the last commits on power loss (never corrupts), for ~3x faster writes.
  bool synchronous_full = true;
  // Tests only: sees every statement each connection of the store runs.
  StatementObserver statement_observer;
};

// Counters of the group-commit writer, for tests, benchmarks and metrics.
struct WriteStats {
  uint64_t submitted = 0;  // write calls ever queued
  uint64_t completed = 0;  // write calls answered (committed or failed)
  uint64_t commits = 0;    // batch transactions committed: fsyncs paid for those calls
  size_t queued = 0;       // calls waiting for the writer right now, not yet in a batch
};

// Opens (creating if needed) and migrates the database. Fails with Errc::unavailable if the
// file cannot be opened, or Errc::internal if its schema is newer than this binary knows.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options);

// The writer's counters; nullopt if `store` is not a SQLite store.
std::optional<WriteStats> write_stats(Store& store);

// Test hooks, read only: the value of `PRAGMA <name>` (e.g. "synchronous", "journal_mode") on
// the connection the group-commit writer uses, and on `readers` pooled connections held at
// once (at most max_connections). They exist because no crash test can tell synchronous=NORMAL
// from FULL, so tests read the durability settings back instead. invalid_input if `store` is
// not a SQLite store or `name` is not a plain pragma name.
Result<std::string> writer_pragma(Store& store, std::string_view name);
Result<std::vector<std::string>> reader_pragmas(Store& store, std::string_view name,
                                                size_t readers);

}  // namespace latchkey::store::sqlite
