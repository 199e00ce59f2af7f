#pragma once
// user_data by typed query, for the PostgREST surface: the rules a Supabase project applies on
// top of the table's row-level security. Blocking (store access): call from a worker pool.
#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/item_rows.hpp"

namespace latchkey::data {

class RowService {
 public:
  RowService(store::ItemRowStore& rows, const core::Clock& clock) : rows_(rows), clock_(clock) {}

  Result<store::RowsResult> select(const store::DataScope& scope, const store::ItemQuery& query);
  Result<store::RowsResult> insert(const store::DataScope& scope,
                                   const std::vector<store::ItemValues>& rows,
                                   const std::optional<store::Upsert>& upsert,
                                   store::WriteOptions options);
  // Updates and deletes need a filter: missing_where (21000) otherwise, as Supabase's
  // pg-safeupdate answers, so a client bug cannot change or delete every row it may see. An
  // update with no values changes nothing and returns no rows, as PostgREST does.
  Result<store::RowsResult> update(const store::DataScope& scope, const store::FilterGroup& where,
                                   const store::ItemValues& values, store::WriteOptions options);
  Result<store::RowsResult> remove(const store::DataScope& scope, const store::FilterGroup& where,
                                   store::WriteOptions options);

 private:
  store::ItemRowStore& rows_;
  const core::Clock& clock_;
};

}  // namespace latchkey::data
