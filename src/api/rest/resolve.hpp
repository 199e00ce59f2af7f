#pragma once
// The second half of parsing: names checked against user_data's columns and literal text
// converted to each column's type, with PostgreSQL's errors. Internal to api/rest.
#include <string>
#include <string_view>
#include <vector>

#include "api/rest/filter_syntax.hpp"
#include "api/rest/param_syntax.hpp"
#include "api/rest/query_parser.hpp"

namespace latchkey::api::rest {

// 42703 `column user_data.x does not exist`.
Result<store::ItemColumn> resolve_column(std::string_view name);
Result<store::FilterGroup> resolve_group(const RawGroup& raw);
Result<std::vector<SelectItem>> resolve_select(const std::vector<RawSelectItem>& raw);
Result<std::vector<store::OrderTerm>> resolve_order(const std::vector<RawOrderTerm>& raw);
// columns=: PGRST204 for a name that is no column; each column once, first place kept.
Result<std::vector<store::ItemColumn>> resolve_insert_columns(const std::vector<std::string>& raw);
// on_conflict=: 42703 for an unknown name, 42P10 for a column without a unique key.
Result<std::vector<store::ItemColumn>> resolve_on_conflict(const std::vector<std::string>& raw);

// PGRST204 `Could not find the 'x' column of 'user_data' in the schema cache`.
Error unknown_body_column(std::string_view name);

}  // namespace latchkey::api::rest
