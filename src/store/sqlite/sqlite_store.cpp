// Opening the SQLite store, and its read-only test hooks.
#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>

#include "store/memory_attempt_store.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

bool is_pragma_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || ch == '_';
  });
}

// The pragma's value as text. Not through the statement cache: only tests ask.
Result<std::string> read_pragma(Connection& c, std::string_view name) {
  const std::string sql = "PRAGMA " + std::string(name);
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(c.db(), sql.c_str(), -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return fail(db_error(c.db(), rc, sql));
  Query q(c.db(), stmt.get());
  auto row = q.step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return fail(Error::of(Errc::invalid_input, sql + " returned no row"));
  return q.text(0);
}

// The SQLite database behind `store`, if it is one and `name` is a plain pragma name.
Result<SqliteDatabase*> pragma_target(Store& store, std::string_view name) {
  auto* db = database_of(store);
  if (!db) return fail(Error::of(Errc::invalid_input, "not a SQLite store"));
  if (!is_pragma_name(name)) return fail(Error::of(Errc::invalid_input, "not a pragma name"));
  return db;
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options) {
  if (options.path.empty())
    return fail(
        Error::startup(Errc::internal, "SQLite database path is empty", "sqlite: empty path"));
  if (options.max_connections == 0)
    return fail(Error::startup(Errc::internal, "SQLite max_connections must be at least 1",
                               "sqlite: max_connections = 0"));
  auto first = Connection::open(options);
  if (!first) return fail(std::move(first).error());
  if (auto r = migrate(**first, core::SystemClock().now_us()); !r)
    return fail(std::move(r).error());
  if (auto r = (*first)->install_owner_views(); !r) return fail(std::move(r).error());
  auto writer = Connection::open(options);
  if (!writer) return fail(std::move(writer).error());
  if (auto r = (*writer)->install_owner_views(); !r) return fail(std::move(r).error());

  auto db = std::make_unique<SqliteDatabase>(options, std::move(*first), std::move(*writer));
  Store::Parts parts;
  parts.users = make_users(*db);
  parts.sessions = make_sessions(*db);
  parts.items = make_items(*db);
  parts.rows = make_rows(*db, core::system_random());
  parts.mail = make_mail(*db, core::system_random());
  parts.signing_keys = make_signing_keys(*db);
  parts.factors = make_factors(*db);
  // One process owns a SQLite database (the data directory is locked), so its counters can
  // live in that process's memory: no disk write per login attempt.
  parts.attempts = std::make_unique<MemoryAttemptStore>();
  parts.db = std::move(db);
  return std::make_unique<Store>(std::move(parts));
}

std::optional<WriteStats> write_stats(Store& store) {
  auto* db = database_of(store);
  if (!db) return std::nullopt;
  return db->write_stats();
}

Result<std::string> writer_pragma(Store& store, std::string_view name) {
  auto db = pragma_target(store, name);
  if (!db) return fail(std::move(db).error());
  // A write job whose writes (none) are discarded, so it reads the writer's own connection.
  return (*db)->write([&](Connection& c) {
    return Written<std::string>{read_pragma(c, name), false};
  });
}

Result<std::vector<std::string>> reader_pragmas(Store& store, std::string_view name,
                                                size_t readers) {
  auto db = pragma_target(store, name);
  if (!db) return fail(std::move(db).error());
  // All leases are held at once, so each value comes from a different connection (the ones
  // beyond the first are opened here, as under load).
  std::vector<ConnectionPool::Lease> leases;
  std::vector<std::string> values;
  for (size_t i = 0; i < readers; ++i) {
    auto lease = (*db)->read();
    if (!lease) return fail(std::move(lease).error());
    auto value = read_pragma(**lease, name);
    if (!value) return fail(std::move(value).error());
    values.push_back(std::move(*value));
    leases.push_back(std::move(*lease));
  }
  return values;
}

}  // namespace latchkey::store::sqlite
