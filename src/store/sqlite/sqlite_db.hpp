#pragma once
// Small RAII layer over the SQLite C API: owning handles, a borrowed prepared statement
// that resets itself, and the one place where SQLite result codes become Errc values.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"

namespace latchkey::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Busy/locked (after the busy timeout), disk full, I/O errors and cannot-open become
// unavailable; UNIQUE/PRIMARY KEY violations conflict; authorizer refusals and RAISE(ABORT)
// in our triggers forbidden; CHECK and NOT NULL violations invalid_input; everything else
// internal. `detail` carries SQLite's message
// for the logs; the wording is the services'.
Error db_error(sqlite3* db, int rc, std::string_view context);

// One use of a prepared statement. Binds copy their values (SQLITE_TRANSIENT), so callers
// may pass temporaries. The destructor resets the statement and clears its bindings, which
// also ends the implicit read transaction of a SELECT that was not stepped to the end.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(Query&& o) noexcept
      : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)), nul_param_(o.nul_param_) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;
  ~Query();

  // Parameters are numbered from 1, as in SQLite. Text holding a NUL byte is refused: step()
  // then fails with invalid_input without running the statement. SQLite could store it, but
  // PostgreSQL cannot, and every backend keeps one rule (issue 8).
  Query& bind(int i, std::string_view text);
  Query& bind(int i, const std::string& text) { return bind(i, std::string_view(text)); }
  Query& bind(int i, const char* text) { return bind(i, std::string_view(text)); }
  Query& bind(int i, int64_t v);
  Query& bind(int i, const std::optional<std::string>& text);
  Query& bind(int i, const std::optional<int64_t>& v);

  // true: a row is ready; false: done.
  Result<bool> step();
  // Steps to the end, for statements that return no rows.
  Result<void> run();

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<int64_t> opt_int64(int col) const;

  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int nul_param_ = 0;  // the first parameter bound to text with a NUL byte, if any
};

}  // namespace latchkey::store::sqlite
