#pragma once
// Filters as text: `<col>=[not.]<op>.<value>` and the logic trees of `or=(...)`, `and=(...)`,
// `not.or=(...)`, parsed into names and strings without knowing the table. Column names and
// literal types are checked afterwards (query_parser.cpp), so a request with both a syntax
// error and an unknown column reports the syntax error, as PostgREST parses the whole query
// before PostgreSQL sees it. Internal to api/rest.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "store/item_query.hpp"

namespace latchkey::api::rest {

struct RawComparison {
  std::string field;
  store::FilterOp op = store::FilterOp::eq;
  bool negated = false;
  std::vector<std::string> values;  // one, except `is` (none) and `in` (the list, maybe empty)
  store::IsValue is = store::IsValue::null;
};

struct RawNode;
struct RawGroup {
  bool any = false;
  bool negated = false;
  std::vector<RawNode> children;
};
struct RawNode {
  std::variant<RawComparison, RawGroup> node;
};

// Counts comparisons across one request, against kMaxFilters.
struct FilterBudget {
  size_t used = 0;
};

// A filter parameter's value (`eq.5`, `not.in.(a,b)`, `is.null`) for column name `field`.
// Outside logic trees the value of a simple operator is the rest of the text, verbatim
// (quotes included), as in PostgREST.
Result<RawComparison> parse_filter(std::string field, std::string_view value, FilterBudget& budget);

// A logic parameter: `key` is `or`, `and`, `not.or` or `not.and`, `value` is `(...)`.
Result<RawGroup> parse_logic(std::string_view key, std::string_view value, FilterBudget& budget);

// A filter parameter's key: one field name, nothing else (no embedded `rel.col`, no JSON
// arrows). PGRST100 otherwise.
Result<std::string> parse_filter_key(std::string_view key);

}  // namespace latchkey::api::rest
