#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "store/store.hpp"

namespace latchkey::store::sqlite {

struct SqliteOptions {
  // Database file; created if missing. Tests use a file in a temporary directory rather than
  // ":memory:", because each pooled connection must see the same database.
  std::string path;
  // How long a writer waits for another connection's write lock before giving up with
  // Errc::unavailable; also how long a caller waits for a free pooled connection.
  int busy_timeout_ms = 5000;
  size_t max_connections = 8;
  // FULL: every commit is fsynced, so a committed write survives power loss. NORMAL in WAL
  // mode can lose the last commits on power loss (never corrupts), for ~3x faster writes.
  bool synchronous_full = true;
};

// Opens (creating if needed) and migrates the database. Fails with Errc::unavailable if the
// file cannot be opened, or Errc::internal if its schema is newer than this binary knows.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options);

}  // namespace latchkey::store::sqlite
