#include "api/rest/filter_syntax.hpp"

#include <optional>

#include "api/rest/limits.hpp"
#include "api/rest/syntax.hpp"
#include "core/ascii.hpp"

namespace latchkey::api::rest {
namespace {

using store::FilterOp;
using store::IsValue;
using MaybeError = std::optional<Error>;

constexpr std::string_view kExpectOperator =
    "operator (eq, neq, gt, gte, lt, lte, like, ilike, is, in, isdistinct)";
constexpr std::string_view kExpectElement =
    "field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)";

// PostgREST operators for types user_data does not have (arrays, ranges, full-text
// vectors): named in the error, so a client sees the syntax was understood but refused.
constexpr std::string_view kUnsupportedOps[] = {"cs",  "cd",    "ov",     "sl",  "sr",
                                                "nxr", "nxl",   "adj",    "match", "imatch",
                                                "fts", "plfts", "phfts",  "wfts"};

std::optional<FilterOp> simple_operator(std::string_view name) {
  struct Entry {
    std::string_view name;
    FilterOp op;
  };
  static constexpr Entry kOps[] = {
      {"eq", FilterOp::eq},       {"neq", FilterOp::neq},     {"gt", FilterOp::gt},
      {"gte", FilterOp::gte},     {"lt", FilterOp::lt},       {"lte", FilterOp::lte},
      {"like", FilterOp::like},   {"ilike", FilterOp::ilike}, {"isdistinct", FilterOp::is_distinct},
  };
  for (const auto& e : kOps) {
    if (e.name == name) return e.op;
  }
  return std::nullopt;
}

bool is_unsupported_operator(std::string_view name) {
  const std::string_view base = name.substr(0, name.find('('));  // fts(english)
  for (auto op : kUnsupportedOps) {
    if (op == base) return true;
  }
  return false;
}

Error too_many_filters() {
  return over_limit("Too many filters: at most " + std::to_string(kMaxFilters) +
                    " are allowed in one request");
}

bool ends_element(char c) { return c == ',' || c == ')'; }

// Text up to the next `,` or `)` (or the end): an unquoted list element or tree value.
std::string read_until_separator(Cursor& c) {
  const std::string_view rest = c.rest();
  size_t n = 0;
  while (n < rest.size() && !ends_element(rest[n])) ++n;
  c.advance(n);
  return std::string(rest.substr(0, n));
}

// A double-quoted value counts only when a separator (or the end) follows its closing quote;
// otherwise the quote is an ordinary character, as in PostgREST's pQuotedValue use.
std::optional<std::string> read_quoted_element(Cursor& c) {
  const size_t at = c.pos();
  auto q = read_quoted(c);
  if (q && (c.at_end() || ends_element(c.peek()))) return q;
  c.seek(at);
  return std::nullopt;
}

// A value inside a logic tree: quoted, a PostgreSQL array literal `{a,b}` kept verbatim
// (its commas do not end the value), or text up to `,` or `)`.
std::string read_tree_value(Cursor& c) {
  if (auto q = read_quoted_element(c)) return *q;
  if (c.peek() == '{') {
    const std::string_view rest = c.rest();
    const size_t close = rest.find_first_of("{}", 1);
    if (close != std::string_view::npos && rest[close] == '}') {
      c.advance(close + 1);
      return std::string(rest.substr(0, close + 1));
    }
  }
  return read_until_separator(c);
}

// `(a,"b,c",d)` after `in.`.
MaybeError parse_in_list(Cursor& c, bool in_tree, RawComparison& out) {
  c.skip_blanks();
  if (!c.eat('(')) return c.expected("\"(\"");
  c.skip_blanks();
  for (;;) {
    if (out.values.size() == kMaxInValues) {
      return over_limit("Too many values in an in list: at most " + std::to_string(kMaxInValues));
    }
    auto q = read_quoted_element(c);
    out.values.push_back(q ? std::move(*q) : read_until_separator(c));
    if (c.eat(',')) continue;
    if (c.eat(')')) break;
    return c.expected("\",\" or \")\"");
  }
  c.skip_blanks();
  if (!in_tree && !c.at_end()) return c.expected("end of input");
  // PostgREST reads `in.()` as one empty element and matches nothing for it.
  if (out.values.size() == 1 && out.values[0].empty()) out.values.clear();
  return std::nullopt;
}

// `null`, `not_null`, `true`, `false` or `unknown` after `is.`, in any case.
MaybeError parse_is(Cursor& c, bool in_tree, RawComparison& out) {
  struct Entry {
    std::string_view word;
    IsValue value;
  };
  static constexpr Entry kWords[] = {{"null", IsValue::null},
                                     {"not_null", IsValue::not_null},
                                     {"true", IsValue::true_},
                                     {"false", IsValue::false_},
                                     {"unknown", IsValue::unknown}};
  const std::string_view rest = c.rest();
  for (const auto& e : kWords) {
    if (core::ascii_lower(rest.substr(0, e.word.size())) != e.word) continue;
    c.advance(e.word.size());
    if (!in_tree && !c.at_end()) return c.expected("end of input");
    out.is = e.value;
    return std::nullopt;
  }
  return c.expected("null or trilean value (unknown, true, false, not_null)");
}

// Where an operator's name ends: its `.` delimiter (inside a tree, also an element's end).
std::string_view read_operator_name(Cursor& c, bool in_tree) {
  const std::string_view rest = c.rest();
  size_t n = 0;
  while (n < rest.size() && rest[n] != '.' && !(in_tree && ends_element(rest[n]))) ++n;
  c.advance(n);
  return rest.substr(0, n);
}

// `[not.]<op>.<value>`: the part of a filter after its field name.
MaybeError parse_op_expr(Cursor& c, bool in_tree, RawComparison& out) {
  if (c.eat("not.")) out.negated = true;
  const size_t name_at = c.pos();
  const std::string_view name = read_operator_name(c, in_tree);
  if (name.empty()) {
    c.seek(name_at);
    return c.expected(kExpectOperator);
  }
  if (!c.eat('.')) return c.expected("delimiter (.)");
  if (name == "in") {
    out.op = FilterOp::in;
    return parse_in_list(c, in_tree, out);
  }
  if (name == "is") {
    out.op = FilterOp::is;
    return parse_is(c, in_tree, out);
  }
  if (auto op = simple_operator(name)) {
    out.op = *op;
    if (in_tree) {
      out.values.push_back(read_tree_value(c));
    } else {
      out.values.emplace_back(c.rest());  // verbatim, dots and quotes included
      c.advance(c.rest().size());
    }
    return std::nullopt;
  }
  if (is_unsupported_operator(name)) {
    return c.error("operator " + std::string(name) + " is not supported on user_data");
  }
  return c.error("unknown single value operator " + std::string(name));
}

// Whether the cursor is at `[not.](and|or)(`: a nested tree rather than a filter.
bool at_subtree(Cursor& c) {
  const size_t at = c.pos();
  c.eat("not.");
  const bool op = c.eat("and") || c.eat("or");
  c.skip_blanks();
  const bool result = op && c.peek() == '(';
  c.seek(at);
  return result;
}

MaybeError parse_tree(Cursor& c, int depth, FilterBudget& budget, RawGroup& out);

MaybeError parse_element(Cursor& c, int depth, FilterBudget& budget, RawNode& out) {
  if (at_subtree(c)) {
    RawGroup group;
    if (auto e = parse_tree(c, depth + 1, budget, group)) return e;
    out.node = std::move(group);
    return std::nullopt;
  }
  auto name = read_field_name(c);
  if (!name) return c.expected(kExpectElement);
  if (c.starts_with("->")) return c.error("JSON paths (->, ->>) are not supported on user_data");
  if (!c.eat('.')) return c.expected("delimiter (.)");
  if (++budget.used > kMaxFilters) return too_many_filters();
  RawComparison cmp;
  cmp.field = std::move(*name);
  if (auto e = parse_op_expr(c, /*in_tree=*/true, cmp)) return e;
  out.node = std::move(cmp);
  return std::nullopt;
}

// `[not.](and|or)(<element>,...)` at nesting level `depth` (the parameter's own is 1).
MaybeError parse_tree(Cursor& c, int depth, FilterBudget& budget, RawGroup& out) {
  out.negated = c.eat("not.");
  if (c.eat("and")) {
    out.any = false;
  } else if (c.eat("or")) {
    out.any = true;
  } else {
    return c.expected("logic operator (and, or)");
  }
  if (depth > kMaxLogicDepth) {
    return over_limit("Logic tree nested too deeply: at most " + std::to_string(kMaxLogicDepth) +
                      " levels of and/or");
  }
  c.skip_blanks();
  if (!c.eat('(')) return c.expected("\"(\"");
  for (;;) {
    c.skip_blanks();
    RawNode child;
    if (auto e = parse_element(c, depth, budget, child)) return e;
    out.children.push_back(std::move(child));
    c.skip_blanks();
    if (c.eat(',')) continue;
    if (c.eat(')')) return std::nullopt;
    return c.expected("\",\" or \")\"");
  }
}

}  // namespace

Result<RawComparison> parse_filter(std::string field, std::string_view value,
                                   FilterBudget& budget) {
  Cursor c(value, "filter");
  if (++budget.used > kMaxFilters) return fail(too_many_filters());
  RawComparison cmp;
  cmp.field = std::move(field);
  if (auto e = parse_op_expr(c, /*in_tree=*/false, cmp)) return fail(std::move(*e));
  return cmp;
}

Result<RawGroup> parse_logic(std::string_view key, std::string_view value, FilterBudget& budget) {
  // PostgREST parses the key's operator and the value as one text, `or(a.eq.1)`, so error
  // columns count from the start of the operator.
  const std::string text = std::string(key) + std::string(value);
  Cursor c(text, "logic tree", value);
  RawGroup group;
  if (auto e = parse_tree(c, 1, budget, group)) return fail(std::move(*e));
  c.skip_blanks();
  if (!c.at_end()) return fail(c.expected("end of input"));
  return group;
}

Result<std::string> parse_filter_key(std::string_view key) {
  Cursor c(key, "tree path");
  auto name = read_field_name(c);
  if (!name) return fail(c.expected("field name (* or [a..z0..9_$])"));
  if (c.starts_with("->")) {
    return fail(c.error("JSON paths (->, ->>) are not supported on user_data"));
  }
  if (c.peek() == '.') {
    return fail(c.error("embedded resources are not supported: user_data has no relationships"));
  }
  if (!c.at_end()) return fail(c.expected("end of input"));
  return std::move(*name);
}

}  // namespace latchkey::api::rest
