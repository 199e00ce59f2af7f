// ItemRowStore's INSERT and upsert on SQLite, as one write job: every row is written or none
// (the job's savepoint is rolled back on any error). Rows are taken in order, each checked
// as PostgreSQL checks it (sqlite_row_rules.hpp), then written through the scope's source.
//
// SQLite cannot upsert into a view, so ON CONFLICT is done by hand, as PostgreSQL does it:
// the proposed row is checked first (insert policy, NOT NULL, CHECK) whatever happens to it;
// then, if its id exists, DO NOTHING skips it and DO UPDATE refuses a row the scope may not
// update (PostgreSQL raises, it does not skip) or else sets the supplied columns.
#include <map>
#include <set>

#include "store/item_row_errors.hpp"
#include "store/sqlite/sqlite_item_rows.hpp"
#include "store/sqlite/sqlite_row_rules.hpp"

namespace latchkey::store::sqlite {
namespace {

Result<void> bind_row_and_run(Result<Query> q, const ItemRecord& r) {
  if (!q) return fail(std::move(q).error());
  q->bind(1, r.id.str()).bind(2, r.user_id.str()).bind(3, r.title).bind(4, r.content);
  q->bind(5, r.metadata_json).bind(6, r.created_at).bind(7, r.updated_at);
  return q->run();
}

Result<void> write_new_row(Connection& c, const DataScope& scope, const ItemRecord& r) {
  constexpr std::string_view kColumns =
      "(id, user_id, title, content, metadata, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  if (scope.role == DataRole::service_role) {
    static const std::string sql = "INSERT INTO main.user_data_all" + std::string(kColumns);
    return bind_row_and_run(c.query(sql), r);
  }
  static const std::string sql = "INSERT INTO user_data" + std::string(kColumns);
  OwnerScope owner(c, scope.user);
  return bind_row_and_run(c.query(sql), r);
}

// Who owns the row with this id, if it exists. Security: read outside the owner scope,
// because the owner view hides exactly the rows this must find; it answers only "absent,
// mine or someone else's", which PostgreSQL reveals too (a skipped row, or an error).
Result<std::optional<core::Uuid>> owner_of(Connection& c, const core::Uuid& id) {
  auto q = c.query("SELECT user_id FROM main.user_data_all WHERE id = ?1");
  if (!q) return fail(std::move(q).error());
  q->bind(1, id.str());
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return std::optional<core::Uuid>();
  auto owner = parse_uuid_column(*q, 0);
  if (!owner) return fail(corrupt_row("user_data.user_id"));
  return std::optional<core::Uuid>(*owner);
}

Result<ItemRecord> existing_row(Connection& c, const DataScope& scope, const core::Uuid& id) {
  const bool all = scope.role == DataRole::service_role;
  std::optional<OwnerScope> owner;
  if (!all) owner.emplace(c, scope.user);
  auto q = c.query(all ? "SELECT id, user_id, title, content, metadata, created_at, updated_at"
                         " FROM main.user_data_all WHERE id = ?1"
                       : "SELECT id, user_id, title, content, metadata, created_at, updated_at"
                         " FROM user_data WHERE id = ?1 AND user_id = ?2");
  if (!q) return fail(std::move(q).error());
  q->bind(1, id.str());
  if (!all) q->bind(2, scope.user.str());
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return fail(Error::of(Errc::internal, "sqlite: conflicting row vanished"));
  return read_row(*q);
}

// The columns an upsert's DO UPDATE sets: every column any row supplies (PostgREST's
// `columns`), each from that row's proposed values (EXCLUDED).
std::set<ItemColumn> supplied_columns(const std::vector<ItemValues>& rows) {
  std::set<ItemColumn> out;
  for (const ItemValues& row : rows)
    for (const auto& entry : row) out.insert(entry.first);
  return out;
}

DraftRow merged(const ItemRecord& old, const ItemRecord& proposed,
                const std::set<ItemColumn>& set, core::Micros now) {
  DraftRow row = draft_of(old);
  const DraftRow p = draft_of(proposed);
  for (ItemColumn c : set) {
    switch (c) {
      case ItemColumn::id: row.id = p.id; break;
      case ItemColumn::user_id: row.user_id = p.user_id; break;
      case ItemColumn::title: row.title = p.title; break;
      case ItemColumn::content: row.content = p.content; break;
      case ItemColumn::metadata: row.metadata = p.metadata; break;
      case ItemColumn::created_at: row.created_at = p.created_at; break;
      case ItemColumn::updated_at: break;  // below
    }
  }
  // As an update sets it (pg_item_rows.cpp sets updated_at = now unless it is supplied).
  row.updated_at = advanced_updated_at(set.count(ItemColumn::updated_at) ? p.updated_at : now,
                                       old.updated_at);
  return row;
}

}  // namespace

Result<bool> user_exists(Connection& c, const UserId& user) {
  auto q = c.query("SELECT 1 FROM users WHERE id = ?1");
  if (!q) return fail(std::move(q).error());
  auto row = q->bind(1, user.str()).step();
  if (!row) return fail(std::move(row).error());
  return *row;
}

Written<RowsResult> insert_job(Connection& c, const DataScope& scope,
                               const std::vector<ItemValues>& rows,
                               const std::vector<core::Uuid>& new_ids,
                               const std::optional<Upsert>& upsert, WriteOptions options,
                               core::Micros now) {
  const std::set<ItemColumn> set = upsert ? supplied_columns(rows) : std::set<ItemColumn>{};
  RowsResult out;
  std::set<core::Uuid> written;  // ids this statement inserted or updated
  // Rows PostgreSQL would hold until the end of the statement, where their unknown user_id
  // fails the foreign key: not written here (SQLite checks keys at once), but still
  // conflicting with later rows, and the error comes last, as in PostgreSQL.
  std::map<core::Uuid, core::Uuid> unknown_user_rows;
  std::optional<Error> foreign_key_error;
  auto fail_job = [](Error e) { return Written<RowsResult>{fail(std::move(e)), false}; };

  for (size_t i = 0; i < rows.size(); ++i) {
    auto proposed = check_row(proposed_row(rows[i], scope, new_ids[i], now), scope);
    if (!proposed) return fail_job(std::move(proposed).error());
    const core::Uuid id = proposed->id.v;

    std::optional<core::Uuid> owner;
    if (auto it = unknown_user_rows.find(id); it != unknown_user_rows.end()) {
      owner = it->second;
    } else {
      auto found = owner_of(c, id);
      if (!found) return fail_job(std::move(found).error());
      owner = *found;
    }
    if (owner && !upsert) return fail_job(row_errors::duplicate_id(id, "sqlite: id exists"));
    if (owner && upsert->ignore_duplicates) continue;  // DO NOTHING, whoever owns it

    std::optional<core::Uuid> old_id;
    ItemRecord row = *proposed;
    if (owner) {
      if (written.count(id) || unknown_user_rows.count(id))
        return fail_job(row_errors::upsert_row_twice("sqlite: id twice in one upsert"));
      // PostgreSQL checks the existing row against the UPDATE policy and raises.
      if (scope.role != DataRole::service_role && *owner != scope.user.v)
        return fail_job(row_errors::row_security("sqlite: upsert onto another user's row"));
      auto old = existing_row(c, scope, id);
      if (!old) return fail_job(std::move(old).error());
      auto updated = check_row(merged(*old, *proposed, set, now), scope);
      if (!updated) return fail_job(std::move(updated).error());
      row = std::move(*updated);
      old_id = id;
    }
    if (scope.role == DataRole::service_role) {
      auto known = user_exists(c, row.user_id);
      if (!known) return fail_job(std::move(known).error());
      if (!*known) {
        if (!foreign_key_error)
          foreign_key_error = row_errors::unknown_user(row.user_id.v, "sqlite: unknown user_id");
        unknown_user_rows.emplace(row.id.v, row.user_id.v);
        continue;
      }
    }
    auto done = old_id ? update_row(c, scope, *old_id, row) : write_new_row(c, scope, row);
    if (!done) {
      if (done.error().code == Errc::conflict)
        return fail_job(row_errors::duplicate_id(row.id.v, done.error().detail));
      return fail_job(std::move(done).error());
    }
    written.insert(row.id.v);
    out.rows.push_back(std::move(row));
  }
  if (foreign_key_error) return fail_job(std::move(*foreign_key_error));
  return finish_write(std::move(out), options);
}

}  // namespace latchkey::store::sqlite
