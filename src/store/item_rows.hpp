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
// Failures, as PostgreSQL reports them (the surface renders PostgREST's codes):
//   forbidden       a row the scope may not write (INSERT, or an UPDATE/upsert moving a row
//                   out of the scope): "new row violates row-level security policy"; anon
//                   writing anything
//   conflict        a duplicate id; detail "Key (id)=(<uuid>) already exists."
//   invalid_input   NULL in a NOT NULL column (detail: the column name), a value too long
//                   for title (detail "title")
class ItemRowStore {
 public:
  virtual ~ItemRowStore() = default;
  virtual Result<RowsResult> select_rows(const DataScope& scope, const ItemQuery& query) = 0;
  // One statement for all rows: all are written or none. With `upsert`, rows whose id exists
  // are updated (only the columns they carry) or skipped.
  virtual Result<RowsResult> insert_rows(const DataScope& scope, const std::vector<ItemValues>& rows,
                                         const std::optional<Upsert>& upsert, WriteOptions options,
                                         core::Micros now) = 0;
  // Sets `values` on every row `where` matches; updated_at advances as for ItemStore.
  virtual Result<RowsResult> update_rows(const DataScope& scope, const FilterGroup& where,
                                         const ItemValues& values, WriteOptions options,
                                         core::Micros now) = 0;
  virtual Result<RowsResult> delete_rows(const DataScope& scope, const FilterGroup& where,
                                         WriteOptions options) = 0;
};

}  // namespace latchkey::store
