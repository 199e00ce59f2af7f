#include "sqlite_file.hpp"

#include <memory>
#include <stdexcept>

namespace latchkey::test {
namespace {

struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, Finalize>;

Stmt prepare(sqlite3* db, const std::string& sql, const std::vector<std::string>& params) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    throw std::runtime_error("prepare " + sql + ": " + sqlite3_errmsg(db));
  Stmt stmt(raw);
  for (size_t i = 0; i < params.size(); ++i) {
    sqlite3_bind_text(raw, int(i + 1), params[i].data(), int(params[i].size()), SQLITE_TRANSIENT);
  }
  return stmt;
}

}  // namespace

SqliteFile::SqliteFile(const std::filesystem::path& path, Mode mode) {
  const int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    throw std::runtime_error("open " + path.string() + ": " + why);
  }
  // The server may be committing at the same moment; wait for its lock instead of failing.
  sqlite3_busy_timeout(db_, 10'000);
}

SqliteFile::~SqliteFile() { sqlite3_close_v2(db_); }

std::optional<std::string> SqliteFile::scalar(const std::string& sql,
                                              const std::vector<std::string>& params) {
  Stmt stmt = prepare(db_, sql, params);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  if (!text) return std::nullopt;
  return std::string(text, size_t(sqlite3_column_bytes(stmt.get(), 0)));
}

void SqliteFile::run(const std::string& sql, const std::vector<std::string>& params) {
  Stmt stmt = prepare(db_, sql, params);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
}

}  // namespace latchkey::test
