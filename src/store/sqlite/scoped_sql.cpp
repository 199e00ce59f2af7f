#include "store/sqlite/scoped_sql.hpp"

#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

bool only_space(const char* p, const char* end) {
  for (; p < end; ++p)
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') return false;
  return true;
}

}  // namespace

Result<ScopedSqlResult> exec_as_owner(Store& store, std::optional<UserId> owner,
                                      std::string_view sql) {
  auto* db = database_of(store);
  if (!db) return fail(Error::of(Errc::invalid_input, "not a sqlite store"));
  auto lease = db->read();
  if (!lease) return fail(std::move(lease).error());
  Connection& c = **lease;
  OwnerScope scope(c, owner);

  // Not cached: ad-hoc SQL must not fill the per-connection statement cache.
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(c.db(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return fail(db_error(c.db(), rc, "prepare scoped sql"));
  if (!stmt) return fail(Error::of(Errc::invalid_input, "empty statement"));
  if (!only_space(tail, sql.data() + sql.size()))
    return fail(Error::of(Errc::invalid_input, "exactly one statement expected"));
  if (sqlite3_stmt_isexplain(stmt.get()) != 0)
    return fail(Error::of(Errc::forbidden, "EXPLAIN is refused in a request scope"));

  ScopedSqlResult out;
  const int64_t before = c.total_changes();
  {
    Query q(c.db(), stmt.get());
    for (;;) {
      auto row = q.step();
      if (!row) return fail(std::move(row).error());
      if (!*row) break;
      auto& cells = out.rows.emplace_back();
      for (int i = 0, n = sqlite3_column_count(stmt.get()); i < n; ++i)
        cells.push_back(q.opt_text(i));
    }
  }
  out.changes = c.total_changes() - before;
  return out;
}

}  // namespace latchkey::store::sqlite
