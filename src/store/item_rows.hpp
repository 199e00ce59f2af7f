#pragma once
#include <vector>

#include "core/error.hpp"
#include "store/item_query.hpp"

namespace latchkey::store {

// user_data by typed query, for the PostgREST surface: the same rows, policies and results on
// every backend. What a scope may touch is enforced below the query text, as for ItemStore:
// PostgreSQL runs each call as the scope's database role (anon, authenticated with the
// user's claims, service_role) under the table's row-level security; SQLite runs
// authenticated calls through the per-connection owner views. Rows a scope may not see are
// silently absent (reads, updates and deletes affect none of them).
//
// Failures, as PostgreSQL reports them (the surface renders PostgREST's codes). Each carries
// its PostgREST code in Error::public_code, PostgreSQL's message in Error::message, and in
// Error::details (public) what is listed here (store/item_row_errors.hpp builds them all):
//   forbidden       42501 a row the scope may not write (INSERT, an UPDATE or upsert moving a
//                   row out of the scope, an upsert onto another user's row): "new row
//                   violates row-level security policy"; anon writing anything
//   conflict        23505 a duplicate id; details "Key (id)=(<uuid>) already exists."
//                   23503 (public_code conflict) a user_id that is no user (service_role);
//                   details "Key (user_id)=(<uuid>) is not present in table \"users\"."
//   invalid_input   23502 NULL in a NOT NULL column (details: the column name; service_role
//                   has no caller to default user_id to), 22001 a title over 255 characters
//                   (details "title"), 23514 metadata that is not a JSON object (details
//                   "metadata"), 21000 one upsert naming an id twice for DO UPDATE, and
//                   queries the typed values cannot mean alike on every backend (like on a
//                   non-text column, <, > on jsonb, is.true, a pattern ending in \, a literal
//                   of the wrong type, negative limit/offset, on_conflict other than id)
// Which error one call gets follows PostgreSQL's order: a too long title first (while the
// statement is planned), then row by row the policy, NOT NULL, CHECK and the primary key,
// and an unknown user_id last. An upsert checks the row proposed for insertion first (so it
// needs every NOT NULL column even when it ends up updating).
//
// Results: selects in `order` then id (NULLS placed as PostgreSQL places them; text by code
// point), inserts in input order, updates and deletes by id. Metadata is returned as
// canonical JSON text. Among non-NULL metadata values ORDER BY follows each backend's own
// order (jsonb's, or the canonical text's), and eq compares jsonb values on PostgreSQL but
// canonical text on SQLite (the same for canonical input, except numbers such as 1 and 1.0).
class ItemRowStore {
 public:
  virtual ~ItemRowStore() = default;
  virtual Result<RowsResult> select_rows(const DataScope& scope, const ItemQuery& query) = 0;
  // One statement for all rows: all are written or none. With `upsert`, rows whose id exists
  // are updated (the columns any of the rows carries, PostgREST's `columns`) or skipped.
  // When WriteOptions does not keep the write, `rows` still holds the rows it would have
  // returned (the surface reports their number) and nothing is changed.
  virtual Result<RowsResult> insert_rows(const DataScope& scope, const std::vector<ItemValues>& rows,
                                         const std::optional<Upsert>& upsert, WriteOptions options,
                                         core::Micros now) = 0;
  // Sets `values` on every row `where` matches; updated_at advances as for ItemStore:
  // GREATEST(the value set, or `now` if none, old + 1us).
  virtual Result<RowsResult> update_rows(const DataScope& scope, const FilterGroup& where,
                                         const ItemValues& values, WriteOptions options,
                                         core::Micros now) = 0;
  virtual Result<RowsResult> delete_rows(const DataScope& scope, const FilterGroup& where,
                                         WriteOptions options) = 0;
};

}  // namespace latchkey::store
