#pragma once
// The text of the reserved parameters other than filters: select, order, columns,
// on_conflict, limit and offset, as names and numbers (query_parser.cpp checks the names
// against the table). Internal to api/rest.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace latchkey::api::rest {

struct RawSelectItem {
  bool star = false;
  std::string field;
  std::string alias;  // empty: none
};

// `*` or a comma list of `[alias:]column`; blanks around items are ignored. JSON arrows,
// casts (`::text`) and embedded resources are refused with PGRST100 naming what is not
// supported; at most kMaxSelectItems items.
Result<std::vector<RawSelectItem>> parse_select(std::string_view text);

struct RawOrderTerm {
  std::string field;
  bool descending = false;
  std::optional<bool> nulls_first;
};

// `col[.asc|.desc][.nullsfirst|.nullslast],...`; at most kMaxOrderTerms terms.
Result<std::vector<RawOrderTerm>> parse_order(std::string_view text);

// `a,"b",c` (columns=, on_conflict=); `what` names the parameter in errors.
Result<std::vector<std::string>> parse_name_list(std::string_view text, std::string_view what);

// A non-negative decimal integer (surrounding blanks allowed) for limit= and offset=;
// `what` names the parameter in errors.
Result<int64_t> parse_non_negative(std::string_view text, std::string_view what);

}  // namespace latchkey::api::rest
