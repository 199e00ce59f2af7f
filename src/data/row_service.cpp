#include "data/row_service.hpp"

namespace latchkey::data {
namespace {

Error missing_where(const char* statement) {
  return Error::make(ErrorCode::missing_where, std::string(statement) + " requires a WHERE clause",
                     "unfiltered write refused");
}

}  // namespace

Result<store::RowsResult> RowService::select(const store::DataScope& scope,
                                             const store::ItemQuery& query) {
  return rows_.select_rows(scope, query);
}

Result<store::RowsResult> RowService::insert(const store::DataScope& scope,
                                             const std::vector<store::ItemValues>& rows,
                                             const std::optional<store::Upsert>& upsert,
                                             store::WriteOptions options) {
  return rows_.insert_rows(scope, rows, upsert, options, clock_.now_us());
}

Result<store::RowsResult> RowService::update(const store::DataScope& scope,
                                             const store::FilterGroup& where,
                                             const store::ItemValues& values,
                                             store::WriteOptions options) {
  if (where.children.empty()) return fail(missing_where("UPDATE"));
  if (values.empty()) {
    store::RowsResult none;
    none.rolled_back = !options.keeps(0);
    return none;
  }
  return rows_.update_rows(scope, where, values, options, clock_.now_us());
}

Result<store::RowsResult> RowService::remove(const store::DataScope& scope,
                                             const store::FilterGroup& where,
                                             store::WriteOptions options) {
  if (where.children.empty()) return fail(missing_where("DELETE"));
  return rows_.delete_rows(scope, where, options);
}

}  // namespace latchkey::data
