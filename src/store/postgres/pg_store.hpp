#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "store/statement_observer.hpp"
#include "store/store.hpp"

namespace latchkey::store::postgres {

struct PgOptions {
  // libpq URI (postgres://user:password@host:port/db?sslmode=...) of the role that serves
  // requests. It must not own public.user_data, be a superuser or have BYPASSRLS (see
  // pg_migrations.cpp for the expected setup).
  std::string url;
  size_t pool_size = 8;
  // Bounds every connection attempt, so calls fail fast with Errc::unavailable while the
  // server is unreachable.
  int connect_timeout_s = 5;
  // How long a caller waits for a free pooled connection before Errc::unavailable.
  int acquire_timeout_ms = 5000;
  // Bounds every statement (e.g. one waiting on a lock held by a stuck client): it then
  // fails with Errc::unavailable. 0: no limit. Migrations are not bounded.
  int statement_timeout_ms = 30000;
  bool apply_migrations = true;
  // Role that owns the schema, used only for migrations; empty: `url`.
  std::string owner_url;
  // Tests only: sees every statement each connection of the store sends.
  StatementObserver statement_observer;
};

// Connects, applies pending migrations (or, with apply_migrations off, checks that none are
// pending) and returns the store. Errc::unavailable if the server cannot be reached;
// Errc::internal if the schema is newer than this binary or a migration fails.
Result<std::unique_ptr<Store>> open_pg_store(const PgOptions& options);

}  // namespace latchkey::store::postgres
