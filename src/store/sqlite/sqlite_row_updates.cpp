// ItemRowStore's UPDATE and DELETE by filter on SQLite, each as one write job. The matching
// rows are read first (inside the job, so no other writer runs in between), each new row is
// computed and checked in C++ as PostgreSQL would check it, then written by id through the
// scope's source. Results are ordered by id, as the PostgreSQL backend orders RETURNING.
#include <algorithm>

#include "store/item_row_errors.hpp"
#include "store/sqlite/sqlite_item_rows.hpp"
#include "store/sqlite/sqlite_row_rules.hpp"

namespace latchkey::store::sqlite {
namespace {

Result<std::vector<ItemRecord>> scoped_matching_rows(Connection& c, const DataScope& scope,
                                                     const FilterGroup& where) {
  std::optional<OwnerScope> owner;
  if (scope.role == DataRole::authenticated) owner.emplace(c, scope.user);
  return matching_rows(c, scope, where);
}

// The rows an owner-view statement wrote: sqlite3_changes() does not count the writes of
// INSTEAD OF triggers, the connection's total does.
Result<int64_t> run_counted(Connection& c, Result<Query>& q) {
  const int64_t before = c.total_changes();
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return c.total_changes() - before;
}

Result<void> delete_row(Connection& c, const DataScope& scope, const core::Uuid& id) {
  const bool all = scope.role == DataRole::service_role;
  std::optional<OwnerScope> owner;
  if (!all) owner.emplace(c, scope.user);
  auto q = c.query(all ? "DELETE FROM main.user_data_all WHERE id = ?1"
                       : "DELETE FROM user_data WHERE id = ?1 AND user_id = ?2");
  if (!q) return fail(std::move(q).error());
  q->bind(1, id.str());
  if (!all) q->bind(2, scope.user.str());
  auto n = run_counted(c, q);
  if (!n) return fail(std::move(n).error());
  if (*n != 1) return fail(Error::of(Errc::internal, "sqlite: matched row not deleted"));
  return {};
}

}  // namespace

Result<void> update_row(Connection& c, const DataScope& scope, const core::Uuid& old_id,
                        const ItemRecord& r) {
  const bool all = scope.role == DataRole::service_role;
  // The owner view's trigger keeps user_id (check_row made sure it is the owner's).
  std::optional<OwnerScope> owner;
  if (!all) owner.emplace(c, scope.user);
  auto q = c.query(all ? "UPDATE main.user_data_all SET id = ?2, title = ?3, content = ?4,"
                         " metadata = ?5, created_at = ?6, updated_at = ?7, user_id = ?8"
                         " WHERE id = ?1"
                       : "UPDATE user_data SET id = ?2, title = ?3, content = ?4, metadata = ?5,"
                         " created_at = ?6, updated_at = ?7 WHERE id = ?1 AND user_id = ?8");
  if (!q) return fail(std::move(q).error());
  q->bind(1, old_id.str()).bind(2, r.id.str()).bind(3, r.title).bind(4, r.content);
  q->bind(5, r.metadata_json).bind(6, r.created_at).bind(7, r.updated_at);
  q->bind(8, r.user_id.str());
  auto n = run_counted(c, q);
  if (!n) return fail(std::move(n).error());
  if (*n != 1) return fail(Error::of(Errc::internal, "sqlite: matched row not updated"));
  return {};
}

Written<RowsResult> update_job(Connection& c, const DataScope& scope, const FilterGroup& where,
                               const ItemValues& values, WriteOptions options, core::Micros now) {
  auto fail_job = [](Error e) { return Written<RowsResult>{fail(std::move(e)), false}; };
  auto matched = scoped_matching_rows(c, scope, where);
  if (!matched) return fail_job(std::move(matched).error());

  // A user_id that names no user fails PostgreSQL's foreign key at the end of the statement,
  // after every row's own checks; SQLite would fail the row's UPDATE at once.
  bool user_known = true;
  const auto user = values.find(ItemColumn::user_id);
  if (scope.role == DataRole::service_role && !matched->empty() && user != values.end() &&
      user->second) {
    auto known = user_exists(c, UserId{std::get<core::Uuid>(*user->second)});
    if (!known) return fail_job(std::move(known).error());
    user_known = *known;
  }
  // updated_at = now unless the request sets it; the trigger's rule either way.
  const auto stamp = values.find(ItemColumn::updated_at);
  std::optional<core::Micros> set_to = now;
  if (stamp != values.end())
    set_to = stamp->second ? std::optional(std::get<core::Micros>(*stamp->second)) : std::nullopt;

  RowsResult out;
  for (const ItemRecord& old : *matched) {
    DraftRow draft = draft_of(old);
    set_values(draft, values);
    draft.updated_at = advanced_updated_at(set_to, old.updated_at);
    auto row = check_row(std::move(draft), scope);
    if (!row) return fail_job(std::move(row).error());
    if (!user_known) continue;  // never written: the statement fails below
    if (auto r = update_row(c, scope, old.id.v, *row); !r) {
      if (r.error().code == Errc::conflict)
        return fail_job(row_errors::duplicate_id(row->id.v, r.error().detail));
      return fail_job(std::move(r).error());
    }
    out.rows.push_back(std::move(*row));
  }
  if (!user_known)
    return fail_job(row_errors::unknown_user(std::get<core::Uuid>(*user->second),
                                             "sqlite: unknown user_id"));
  std::sort(out.rows.begin(), out.rows.end(),
            [](const ItemRecord& a, const ItemRecord& b) { return a.id.v < b.id.v; });
  return finish_write(std::move(out), options);
}

Written<RowsResult> delete_job(Connection& c, const DataScope& scope, const FilterGroup& where,
                               WriteOptions options) {
  auto matched = scoped_matching_rows(c, scope, where);
  if (!matched) return {fail(std::move(matched).error()), false};
  for (const ItemRecord& row : *matched) {
    if (auto r = delete_row(c, scope, row.id.v); !r) return {fail(std::move(r).error()), false};
  }
  return finish_write(RowsResult{std::move(*matched), std::nullopt, false}, options);
}

}  // namespace latchkey::store::sqlite
