#include "store/sqlite/sqlite_db.hpp"

#include "store/text_rules.hpp"

#include <utility>

namespace latchkey::store::sqlite {

Error db_error(sqlite3* db, int rc, std::string_view context) {
  const int primary = rc & 0xff;
  std::string detail(context);
  detail += ": ";
  // sqlite3_errmsg describes the most recent failure on `db`, which is `rc` when called
  // right after the failing call; fall back to the generic text for the code.
  detail += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  detail += " (";
  detail += std::to_string(rc);
  detail += ")";

  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return Error::of(Errc::unavailable, std::move(detail));
    case SQLITE_AUTH:
      return Error::of(Errc::forbidden, std::move(detail));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return Error::of(Errc::conflict, std::move(detail));
      if (rc == SQLITE_CONSTRAINT_TRIGGER)  // RAISE(ABORT) from the owner triggers
        return Error::of(Errc::forbidden, std::move(detail));
      // A value the table refuses (user_data's metadata and title rules, a missing value).
      if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
        return Error::of(Errc::invalid_input, std::move(detail));
      break;
    default:
      break;
  }
  return Error::of(Errc::internal, std::move(detail));
}

Query::~Query() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int i, std::string_view text) {
  // Bind errors (index out of range, too big) surface as the statement's error on step.
  if (nul_param_ == 0 && text.find('\0') != std::string_view::npos) nul_param_ = i;
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Query& Query::bind(int i, const std::optional<std::string>& text) {
  if (text) return bind(i, std::string_view(*text));
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Query& Query::bind(int i, const std::optional<int64_t>& v) {
  if (v) return bind(i, *v);
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Query::step() {
  if (nul_param_ != 0) {
    return fail(nul_in_text("sqlite: parameter " + std::to_string(nul_param_)));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(db_error(db_, rc, sqlite3_sql(stmt_)));
}

Result<void> Query::run() {
  for (;;) {
    auto r = step();
    if (!r) return fail(std::move(r).error());
    if (!*r) return {};
  }
}

std::string Query::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);  // after column_text, per the SQLite docs
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

std::optional<std::string> Query::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<int64_t> Query::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

}  // namespace latchkey::store::sqlite
