// The key of a duplicate-id or unknown-user error, for PostgreSQL's ItemRowStore. On a table
// under row-level security PostgreSQL leaves the key's value out of DETAIL, so that an error
// cannot show a value of a row the caller may not read. The interface promises the key, and
// it is always a value the caller sent itself (its row's id, the user_id it named), so it is
// found again here, only on these error paths. Nothing more is revealed than the error
// itself already says: that this id is taken, or that this user does not exist.
#include <set>

#include "store/item_row_errors.hpp"
#include "store/postgres/pg_item_rows.hpp"

namespace latchkey::store::postgres {
namespace {

std::optional<core::Uuid> supplied_uuid(const ItemValues& values, ItemColumn c) {
  auto it = values.find(c);
  if (it == values.end() || !it->second) return std::nullopt;
  return std::get<core::Uuid>(*it->second);
}

// The id the statement's rows clash on: the same rows again with ON CONFLICT DO NOTHING, in
// a transaction that is rolled back. Rows are inserted in order, so the first row that comes
// back missing is the one the original statement stopped at.
std::optional<core::Uuid> clashing_id(PgDatabase& db, const DataScope& scope,
                                      const std::vector<ItemValues>& rows,
                                      const std::vector<core::Uuid>& ids, core::Micros now) {
  auto probe = insert_statement(scope, rows, ids, Upsert{{ItemColumn::id}, true}, now);
  if (!probe) return std::nullopt;
  std::vector<RowStatement> statements;
  statements.push_back(std::move(*probe));
  auto results = run_rows(db, scope, statements, Ending::dry_run);
  if (!results) return std::nullopt;  // another rule fails first now: no key to tell
  auto inserted = read_rows(results->back().get());
  if (!inserted) return std::nullopt;
  std::set<core::Uuid> written;
  for (const ItemRecord& r : *inserted) written.insert(r.id.v);
  for (size_t i = 0; i < rows.size(); ++i) {
    const core::Uuid id = supplied_uuid(rows[i], ItemColumn::id).value_or(ids[i]);
    if (!written.erase(id)) return id;
  }
  return std::nullopt;
}

// The first of `candidates` that names no user, asked as the login role (which may read
// auth.users; only service_role can name another user's id, and an admin may know that).
std::optional<core::Uuid> missing_user(PgDatabase& db, const std::vector<core::Uuid>& candidates) {
  if (candidates.empty()) return std::nullopt;
  std::string array = "{";
  for (const core::Uuid& u : candidates) array += (array.size() > 1 ? "," : "") + u.str();
  array += "}";
  static const Statement kMissing{
      "lk_rows_missing_user",
      "SELECT x.u::text FROM unnest($1::uuid[]) WITH ORDINALITY AS x(u, n)"
      " WHERE NOT EXISTS (SELECT 1 FROM auth.users WHERE id = x.u) ORDER BY x.n LIMIT 1"};
  auto lease = db.connection();
  if (!lease) return std::nullopt;
  auto r = (*lease)->run(kMissing, Params{array});
  if (!r || PQntuples(r->get()) != 1) return std::nullopt;
  return uuid_col(r->get(), 0, 0);
}

}  // namespace

Error with_insert_key(PgDatabase& db, Error e, const DataScope& scope,
                      const std::vector<ItemValues>& rows, const std::vector<core::Uuid>& ids,
                      core::Micros now) {
  if (!e.details.empty()) return e;
  if (e.public_code == ErrorCode::unique_violation)
    return row_errors::duplicate_id(clashing_id(db, scope, rows, ids, now), std::move(e.detail));
  if (row_errors::is_unknown_user(e)) {
    std::vector<core::Uuid> candidates;
    for (const ItemValues& row : rows) {
      if (auto user = supplied_uuid(row, ItemColumn::user_id)) candidates.push_back(*user);
    }
    if (scope.role == DataRole::authenticated) candidates.push_back(scope.user.v);
    return row_errors::unknown_user(missing_user(db, candidates), std::move(e.detail));
  }
  return e;
}

Error with_update_key(Error e, const ItemValues& values) {
  if (!e.details.empty()) return e;
  // One value for every row: the key is the one the update sets.
  if (e.public_code == ErrorCode::unique_violation)
    return row_errors::duplicate_id(supplied_uuid(values, ItemColumn::id), std::move(e.detail));
  if (row_errors::is_unknown_user(e))
    return row_errors::unknown_user(supplied_uuid(values, ItemColumn::user_id),
                                    std::move(e.detail));
  return e;
}

}  // namespace latchkey::store::postgres
