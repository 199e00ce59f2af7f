#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>

#include "core/ascii.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kUserColumns = "id, email, full_name, password_hash, created_at";

Result<UserRecord> read_user(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  if (!id) return fail(corrupt_row("users.id"));
  return UserRecord{UserId{*id}, q.text(1), q.opt_text(2), q.text(3), q.int64(4)};
}

Result<UserRecord> find_user_where(ConnectionPool& pool, const std::string& sql,
                                   std::string_view key) {
  auto lease = pool.acquire();
  if (!lease) return fail(std::move(lease).error());
  auto q = (*lease)->query(sql);
  if (!q) return fail(std::move(q).error());
  q->bind(1, key);
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return fail(Error::of(Errc::not_found, "user not found"));
  return read_user(*q);
}

Result<UserRecord> insert_user(Connection& c, const UserRecord& rec) {
  auto q = c.query(
      "INSERT INTO users(id, email, full_name, password_hash, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!q) return fail(std::move(q).error());
  q->bind(1, rec.id.str()).bind(2, rec.email).bind(3, rec.full_name);
  q->bind(4, rec.password_hash).bind(5, rec.created_at);
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return rec;
}

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

}  // namespace

std::optional<core::Uuid> parse_uuid_column(const Query& q, int col) {
  return core::Uuid::parse(q.text(col));
}

Error corrupt_row(std::string_view what) {
  return Error::of(Errc::internal, "sqlite: malformed value in " + std::string(what));
}

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options) {
  if (options.path.empty())
    return fail(Error::startup(Errc::internal, "SQLite database path is empty", "sqlite: empty path"));
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
  return std::unique_ptr<Store>(new SqliteStore(options, std::move(*first), std::move(*writer)));
}

std::optional<WriteStats> write_stats(Store& store) {
  auto* sqlite_store = dynamic_cast<SqliteStore*>(&store);
  if (!sqlite_store) return std::nullopt;
  return sqlite_store->write_stats();
}

Result<std::string> writer_pragma(Store& store, std::string_view name) {
  auto* sqlite_store = dynamic_cast<SqliteStore*>(&store);
  if (!sqlite_store) return fail(Error::of(Errc::invalid_input, "not a SQLite store"));
  if (!is_pragma_name(name)) return fail(Error::of(Errc::invalid_input, "not a pragma name"));
  return sqlite_store->writer_pragma(name);
}

Result<std::vector<std::string>> reader_pragmas(Store& store, std::string_view name,
                                                size_t readers) {
  auto* sqlite_store = dynamic_cast<SqliteStore*>(&store);
  if (!sqlite_store) return fail(Error::of(Errc::invalid_input, "not a SQLite store"));
  if (!is_pragma_name(name)) return fail(Error::of(Errc::invalid_input, "not a pragma name"));
  // All leases are held at once, so each value comes from a different connection (the ones
  // beyond the first are opened here, as under load).
  std::vector<ConnectionPool::Lease> leases;
  std::vector<std::string> values;
  for (size_t i = 0; i < readers; ++i) {
    auto lease = sqlite_store->pool().acquire();
    if (!lease) return fail(std::move(lease).error());
    auto value = read_pragma(**lease, name);
    if (!value) return fail(std::move(value).error());
    values.push_back(std::move(*value));
    leases.push_back(std::move(*lease));
  }
  return values;
}

SqliteStore::SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> first,
                         std::unique_ptr<Connection> writer)
    : pool_(
          "sqlite", {options.max_connections, options.busy_timeout_ms},
          [options]() -> Result<std::unique_ptr<Connection>> {
            auto c = Connection::open(options);
            if (!c) return c;
            if (auto r = (*c)->install_owner_views(); !r) return fail(std::move(r).error());
            return c;
          },
          [](Connection& c) {
            // A store method always commits or rolls back; this guards against a bug leaving
            // a write transaction open, which would block every other writer forever.
            if (!sqlite3_get_autocommit(c.db())) (void)c.exec("ROLLBACK");
            return Returned::reuse;
          },
          std::move(first)),
      writer_(std::move(writer)) {}

Result<std::string> SqliteStore::writer_pragma(std::string_view name) {
  return write([&](Connection& c) { return Written<std::string>{read_pragma(c, name), false}; });
}

Result<void> SqliteStore::ping() {
  auto lease = pool_.acquire();
  if (!lease) return fail(std::move(lease).error());
  auto q = (*lease)->query("SELECT 1");
  if (!q) return fail(std::move(q).error());
  return q->run();
}

Result<UserRecord> SqliteStore::create_user(const NewUser& user, core::Micros now) {
  // Folded here too, so the UNIQUE constraint is case-insensitive even if a caller forgets.
  UserRecord rec{user.id, core::ascii_lower(user.email), user.full_name, user.password_hash, now};
  return write([&](Connection& c) { return insert_user(c, rec); });
}

Result<UserRecord> SqliteStore::find_user_by_email(std::string_view email) {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?1";
  return find_user_where(pool_, sql, core::ascii_lower(email));
}

Result<UserRecord> SqliteStore::find_user(UserId id) {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1";
  return find_user_where(pool_, sql, id.str());
}

Result<void> SqliteStore::set_password_hash(UserId id, std::string_view phc_hash) {
  return write([&](Connection& c) -> Result<void> {
    auto q = c.query("UPDATE users SET password_hash = ?2 WHERE id = ?1");
    if (!q) return fail(std::move(q).error());
    if (auto r = q->bind(1, id.str()).bind(2, phc_hash).run(); !r) return r;
    if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
    return {};
  });
}

}  // namespace latchkey::store::sqlite
