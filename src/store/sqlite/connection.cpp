#include "store/sqlite/connection.hpp"

#include <array>

#include "store/sqlite/pg_like.hpp"

namespace latchkey::store::sqlite {
namespace {

std::string random_name_prefix() {
  std::array<unsigned char, 16> bytes{};
  sqlite3_randomness(static_cast<int>(bytes.size()), bytes.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "lk_";
  for (unsigned char b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const SqliteOptions& options) {
  std::unique_ptr<Connection> c(new Connection());
  sqlite3* raw = nullptr;
  // NOMUTEX: the pool gives a connection to one thread at a time, so SQLite's own
  // per-connection mutex would be pure overhead.
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags, nullptr);
  c->db_.reset(raw);  // sqlite3_open_v2 may return a handle even on failure; close it too
  if (rc != SQLITE_OK) return fail(db_error(raw, rc, "open " + options.path));
  sqlite3* db = c->db();
  if (options.statement_observer) {
    // SQLite's own trace, so that every statement is seen, also those not run through query().
    c->observer_ = options.statement_observer;
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, &Connection::trace, c.get());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // Security: DEFENSIVE forbids writable_schema and other ways to corrupt the file from SQL;
  // untrusted schema means functions with side effects cannot be smuggled in through views
  // or triggers stored in a tampered database file.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);

  // WAL: readers never block the writer and vice versa. synchronous=FULL fsyncs the WAL on
  // every commit, so a commit that returned is durable across power loss; NORMAL only
  // guarantees consistency (recent commits may roll back) and is opt-in.
  const char* setup = options.synchronous_full
                          ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                            "PRAGMA foreign_keys=ON;"
                          : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                            "PRAGMA foreign_keys=ON;";
  if (auto r = c->exec(setup); !r) return fail(std::move(r).error());

  // Not SQLITE_DETERMINISTIC: the value changes between calls, so SQLite must not fold it
  // into a constant or use it in an index expression. DIRECTONLY: usable from our TEMP
  // objects and top-level SQL, never from views or triggers stored in the database file.
  int frc = sqlite3_create_function_v2(db, "auth_uid", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, c.get(),
                                       &Connection::auth_uid, nullptr, nullptr, nullptr);
  if (frc != SQLITE_OK) return fail(db_error(db, frc, "create auth_uid()"));
  // PostgreSQL's LIKE, for the data API's like/ilike filters (pg_like.hpp).
  frc = register_pg_like(db);
  if (frc != SQLITE_OK) return fail(db_error(db, frc, "create pg_like()"));
  frc = sqlite3_set_authorizer(db, &Connection::authorize, c.get());
  if (frc != SQLITE_OK) return fail(db_error(db, frc, "set authorizer"));
  c->secret_ = random_name_prefix();
  return c;
}

Result<void> Connection::install_owner_views() {
  // The inner view and the triggers get a random per-connection name. The authorizer lets
  // base tables be touched only from inside them, and it recognizes "inside" by the name
  // SQLite passes as the inner-most view or trigger. A CTE's name is passed the same way, so
  // with a guessable name `WITH user_data AS (SELECT * FROM main.user_data_all) ...` would
  // read every user's rows. Top-level SQL in a scope can neither read sqlite_temp_schema nor
  // EXPLAIN (exec_as_owner refuses it), so it cannot learn the name.
  //
  // Temp trigger bodies cannot name main.user_data_all (SQLite forbids qualified targets in
  // trigger statements) and an unqualified `user_data` would resolve to the TEMP view, which
  // is why the base table has its own name.
  const std::string& s = secret_;
  const std::string sql =
      "CREATE TEMP VIEW " + s +
      " AS SELECT * FROM main.user_data_all WHERE user_id = auth_uid();"
      "CREATE TEMP VIEW user_data AS SELECT * FROM " +
      s +
      ";"
      "CREATE TEMP TRIGGER " +
      s +
      "_ins INSTEAD OF INSERT ON user_data BEGIN"
      "  SELECT RAISE(ABORT, 'user_data: no owner') WHERE auth_uid() IS NULL;"
      "  SELECT RAISE(ABORT, 'user_data: row belongs to another user')"
      "    WHERE NEW.user_id IS NOT NULL AND NEW.user_id IS NOT auth_uid();"
      "  INSERT INTO user_data_all(id, user_id, title, content, metadata, created_at, updated_at)"
      "    VALUES (NEW.id, auth_uid(), NEW.title, NEW.content, NEW.metadata, NEW.created_at,"
      "            NEW.updated_at);"
      "END;"
      "CREATE TEMP TRIGGER " +
      s +
      "_upd INSTEAD OF UPDATE ON user_data BEGIN"
      // The owner may change a row's id, as PostgreSQL's policies allow (the row stays
      // theirs; the primary key still refuses an id that is taken), never its user_id.
      "  SELECT RAISE(ABORT, 'user_data: user_id cannot change')"
      "    WHERE NEW.user_id IS NOT OLD.user_id;"
      "  UPDATE user_data_all SET id = NEW.id, title = NEW.title, content = NEW.content,"
      "      metadata = NEW.metadata, created_at = NEW.created_at, updated_at = NEW.updated_at"
      "    WHERE id = OLD.id AND user_id = auth_uid();"
      "END;"
      "CREATE TEMP TRIGGER " +
      s +
      "_del INSTEAD OF DELETE ON user_data BEGIN"
      "  DELETE FROM user_data_all WHERE id = OLD.id AND user_id = auth_uid();"
      "END;";
  return exec(sql.c_str());
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before the handle closes
}

Result<Query> Connection::query(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return fail(db_error(db(), rc, "prepare " + std::string(sql)));
    if (!raw) return fail(Error::of(Errc::internal, "empty statement"));
    it = cache_.emplace(std::string(sql), StmtPtr(raw)).first;
  }
  return Query(db(), it->second.get());
}

Result<OneShotQuery> Connection::prepare_once(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db(), sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return fail(db_error(db(), rc, "prepare " + std::string(sql)));
  if (!stmt) return fail(Error::of(Errc::internal, "empty statement"));
  return OneShotQuery(db(), std::move(stmt));
}

Result<void> Connection::exec(const char* sql) {
  const int rc = sqlite3_exec(db(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(db_error(db(), rc, sql));
  return {};
}

bool Connection::is_own_object(const char* name) const {
  return name && std::string_view(name).starts_with(secret_);
}

int Connection::authorize(void* self, int action, const char* a3, const char* /*a4*/,
                          const char* db, const char* inner) {
  const auto* c = static_cast<const Connection*>(self);
  if (!c->scoped_) return SQLITE_OK;  // store-internal SQL (users, sessions, migrations)
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
      return SQLITE_OK;
    case SQLITE_READ:
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE: {
      // a3 is the table or view; `inner` the inner-most view/trigger (NULL at top level).
      if (c->is_own_object(inner)) return SQLITE_OK;
      const std::string_view schema = db ? db : "", table = a3 ? a3 : "";
      // The two filtered views; writes to `user_data` go through the owner triggers.
      if (schema == "temp" && (table == "user_data" || table == c->secret_)) return SQLITE_OK;
      return SQLITE_DENY;
    }
    default:
      // DDL, PRAGMA, ATTACH/DETACH, ALTER, ANALYZE, REINDEX, virtual tables: a request never
      // needs them, and each could be used to step around the views.
      return SQLITE_DENY;
  }
}

int Connection::trace(unsigned /*event*/, void* self, void* /*stmt*/, void* sql) {
  // SQLITE_TRACE_STMT: `sql` is the statement's text as prepared, parameters unexpanded (or a
  // "-- TRIGGER name" comment when a trigger body starts).
  static_cast<Connection*>(self)->observer_(static_cast<const char*>(sql));
  return 0;
}

void Connection::auth_uid(sqlite3_context* ctx, int /*argc*/, sqlite3_value** /*argv*/) {
  const auto* c = static_cast<const Connection*>(sqlite3_user_data(ctx));
  if (!c->owner_) {
    sqlite3_result_null(ctx);
    return;
  }
  sqlite3_result_text(ctx, c->owner_->data(), static_cast<int>(c->owner_->size()),
                      SQLITE_TRANSIENT);
}

OwnerScope::OwnerScope(Connection& c, std::optional<UserId> owner) : c_(c) {
  c_.scoped_ = true;
  if (owner) c_.owner_ = owner->str();
}

OwnerScope::~OwnerScope() {
  c_.owner_.reset();
  c_.scoped_ = false;
}

Result<WriteTxn> WriteTxn::begin(Connection& c) {
  auto q = c.query("BEGIN IMMEDIATE");
  if (!q) return fail(std::move(q).error());
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return WriteTxn(c);
}

WriteTxn::~WriteTxn() {
  // Some errors (disk full, I/O) already rolled back; a second ROLLBACK would only fail.
  if (!c_ || sqlite3_get_autocommit(c_->db())) return;
  if (auto q = c_->query("ROLLBACK")) (void)q->run();
}

Result<void> WriteTxn::commit() {
  auto q = c_->query("COMMIT");
  if (!q) return fail(std::move(q).error());
  if (auto r = q->run(); !r) return r;
  c_ = nullptr;
  return {};
}

}  // namespace latchkey::store::sqlite
