#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "core/uuid.hpp"
#include "store/bounded_pool.hpp"
#include "store/sqlite/sqlite_db.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace latchkey::store::sqlite {

// One SQLite connection with its statement cache and its per-owner isolation objects.
// Used by one thread at a time (the pool hands it out), so it has no lock of its own.
//
// Isolation below the query text: the base table is main.user_data_all. Each connection has
// TEMP objects that only it can see:
//   - auth_uid(): the current owner's id text, or NULL outside an OwnerScope;
//   - TEMP VIEW user_data: that owner's rows. TEMP is searched before main, so every
//     unqualified `user_data` in SQL on this connection means the filtered view;
//   - INSTEAD OF INSERT/UPDATE/DELETE triggers on it that write user_data_all only for
//     auth_uid(), refusing (RAISE(ABORT)) any row for someone else.
// Inside an OwnerScope an authorizer also refuses, at prepare time, any top-level reference
// to a table (user_data_all, users, sessions, sqlite_schema ...) and any DDL, PRAGMA or
// ATTACH; only the view, and the view's and triggers' own bodies, may touch base tables.
// A statement prepared for one use and finalized with it: for SQL whose text varies per
// call (the data API's filters), which must not grow the per-connection statement cache.
class OneShotQuery {
 public:
  OneShotQuery(sqlite3* db, StmtPtr stmt) : stmt_(std::move(stmt)), query_(db, stmt_.get()) {}
  Query& operator*() { return query_; }
  Query* operator->() { return &query_; }

 private:
  StmtPtr stmt_;  // declared first: finalized after query_ has reset it
  Query query_;
};

class Connection {
 public:
  // Opens with WAL, foreign keys, busy timeout, the authorizer and auth_uid() installed.
  static Result<std::unique_ptr<Connection>> open(const SqliteOptions& options);
  // Creates the TEMP view and triggers; needs the migrated schema.
  Result<void> install_owner_views();
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_.get(); }
  // A statement prepared once per connection (SQLITE_PREPARE_PERSISTENT) and reused.
  // `sql` is the cache key: pass one fixed string per statement.
  Result<Query> query(std::string_view sql);
  // A statement prepared now, not cached (the authorizer judges it now, in the current scope).
  Result<OneShotQuery> prepare_once(std::string_view sql);
  // Runs one or more statements without caching (setup, migrations, BEGIN/COMMIT).
  Result<void> exec(const char* sql);
  int64_t total_changes() const { return sqlite3_total_changes64(db_.get()); }

 private:
  friend class OwnerScope;
  Connection() = default;
  static int authorize(void* self, int action, const char* a3, const char* a4, const char* db,
                       const char* inner);
  static void auth_uid(sqlite3_context* ctx, int argc, sqlite3_value** argv);
  static int trace(unsigned event, void* self, void* stmt, void* sql);
  bool is_own_object(const char* name) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  DbPtr db_;  // declared first: destroyed last, after the cached statements
  std::unordered_map<std::string, StmtPtr, Hash, std::equal_to<>> cache_;
  // Random per-connection prefix for the TEMP view and trigger names, see install_owner_views.
  std::string secret_;
  bool scoped_ = false;
  std::optional<std::string> owner_;
  StatementObserver observer_;  // tests only; no trace callback is installed without one
};

// Request-scoped use of a connection for one store call: auth_uid() returns `owner` (NULL if
// nullopt, so the view is empty) and the authorizer is strict. Both are reset on exit, so a
// pooled connection never carries one user's identity into the next call.
class OwnerScope {
 public:
  OwnerScope(Connection& c, std::optional<UserId> owner);
  ~OwnerScope();
  OwnerScope(const OwnerScope&) = delete;
  OwnerScope& operator=(const OwnerScope&) = delete;

 private:
  Connection& c_;
};

// A write transaction taken with BEGIN IMMEDIATE: the write lock is acquired up front
// (waiting up to the busy timeout), so a read-then-write sequence cannot fail halfway with
// SQLITE_BUSY_SNAPSHOT. Rolled back on destruction unless committed.
class WriteTxn {
 public:
  static Result<WriteTxn> begin(Connection& c);
  WriteTxn(WriteTxn&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  WriteTxn& operator=(WriteTxn&&) = delete;
  ~WriteTxn();
  Result<void> commit();

 private:
  explicit WriteTxn(Connection& c) : c_(&c) {}
  Connection* c_;
};

// The pooled connections for reads: SQLite connections are cheap to keep, but each holds a
// file descriptor and its statement cache, so their number is bounded.
using ConnectionPool = BoundedPool<Connection>;

}  // namespace latchkey::store::sqlite
