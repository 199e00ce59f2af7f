#include "store/postgres/scoped_sql.hpp"

#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {

Result<ScopedSqlResult> exec_as_owner(Store& store, std::optional<UserId> owner,
                                      std::string_view sql) {
  auto* pg = database_of(store);
  if (!pg) return fail(Error::of(Errc::invalid_input, "not a postgresql store"));
  // Unnamed: parsed on each use, never added to the connection's prepared statements.
  const Statement statement{"", std::string(sql)};
  auto r = pg->run_as(owner, statement, {});
  if (!r) return fail(std::move(r).error());
  ScopedSqlResult out;
  const PGresult* res = r->get();
  for (int row = 0; row < PQntuples(res); ++row) {
    auto& cells = out.rows.emplace_back();
    for (int col = 0; col < PQnfields(res); ++col) cells.push_back(opt_text(res, row, col));
  }
  out.changes = affected_rows(res);
  return out;
}

}  // namespace latchkey::store::postgres
