#include "api/rest/param_syntax.hpp"

#include <charconv>

#include "api/rest/limits.hpp"
#include "api/rest/syntax.hpp"

namespace latchkey::api::rest {
namespace {

using MaybeError = std::optional<Error>;

constexpr std::string_view kExpectField = "field name (* or [a..z0..9_$])";

Error no_embedding(const Cursor& c) {
  return c.error("embedded resources are not supported: user_data has no relationships");
}

// What may follow a select item's column name: nothing we do not support.
MaybeError check_select_suffix(const Cursor& c) {
  if (c.starts_with("->")) return c.error("JSON paths (->, ->>) are not supported on user_data");
  if (c.starts_with("::")) return c.error("casts (::type) in select are not supported");
  if (c.peek() == '(' || c.peek() == '!') return no_embedding(c);
  return std::nullopt;
}

MaybeError parse_select_item(Cursor& c, RawSelectItem& item) {
  if (c.eat('*')) {
    item.star = true;
    return std::nullopt;
  }
  if (c.starts_with("..")) return no_embedding(c);
  auto first = read_field_name(c);
  if (!first) return c.expected(kExpectField);
  if (c.peek() == ':' && !c.starts_with("::")) {
    c.advance();
    auto name = read_field_name(c);
    if (!name) return c.expected(kExpectField);
    item.alias = std::move(*first);
    item.field = std::move(*name);
  } else {
    item.field = std::move(*first);
  }
  return check_select_suffix(c);
}

// `.asc`, `.desc`, `.nullsfirst`, `.nullslast` after an order term's column; a word must end
// at a delimiter, so `desc` does not accept `descx`.
MaybeError parse_order_modifiers(Cursor& c, RawOrderTerm& t) {
  bool direction_allowed = true;
  while (c.eat('.')) {
    if (direction_allowed && c.eat("asc")) {
      t.descending = false;
    } else if (direction_allowed && c.eat("desc")) {
      t.descending = true;
    } else if (c.eat("nullsfirst")) {
      t.nulls_first = true;
      return std::nullopt;
    } else if (c.eat("nullslast")) {
      t.nulls_first = false;
      return std::nullopt;
    } else {
      return c.expected(direction_allowed ? "\"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""
                                          : "\"nullsfirst\" or \"nullslast\"");
    }
    direction_allowed = false;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<RawSelectItem>> parse_select(std::string_view text) {
  Cursor c(text, "select parameter");
  std::vector<RawSelectItem> items;
  for (;;) {
    if (items.size() == kMaxSelectItems) {
      return fail(over_limit("Too many items in select: at most " +
                             std::to_string(kMaxSelectItems)));
    }
    c.skip_blanks();
    RawSelectItem item;
    if (auto e = parse_select_item(c, item)) return fail(std::move(*e));
    items.push_back(std::move(item));
    c.skip_blanks();
    if (c.eat(',')) continue;
    if (c.at_end()) return items;
    return fail(c.expected("\",\" or end of input"));
  }
}

Result<std::vector<RawOrderTerm>> parse_order(std::string_view text) {
  Cursor c(text, "order");
  std::vector<RawOrderTerm> terms;
  for (;;) {
    if (terms.size() == kMaxOrderTerms) {
      return fail(over_limit("Too many terms in order: at most " +
                             std::to_string(kMaxOrderTerms)));
    }
    c.skip_blanks();
    RawOrderTerm t;
    auto name = read_field_name(c);
    if (!name) return fail(c.expected(kExpectField));
    if (c.starts_with("->")) {
      return fail(c.error("JSON paths (->, ->>) are not supported on user_data"));
    }
    if (c.peek() == '(') return fail(no_embedding(c));
    t.field = std::move(*name);
    if (auto e = parse_order_modifiers(c, t)) return fail(std::move(*e));
    terms.push_back(std::move(t));
    c.skip_blanks();
    if (c.eat(',')) continue;
    if (c.at_end()) return terms;
    return fail(c.expected("delimiter (.), \",\" or end of input"));
  }
}

Result<std::vector<std::string>> parse_name_list(std::string_view text, std::string_view what) {
  Cursor c(text, what);
  std::vector<std::string> names;
  for (;;) {
    c.skip_blanks();
    auto name = read_field_name(c);
    if (!name) return fail(c.expected(kExpectField));
    names.push_back(std::move(*name));
    c.skip_blanks();
    if (c.eat(',')) continue;
    if (c.at_end()) return names;
    return fail(c.expected("\",\" or end of input"));
  }
}

Result<int64_t> parse_non_negative(std::string_view text, std::string_view what) {
  Cursor c(text, what);
  c.skip_blanks();
  const std::string_view digits = c.rest().substr(0, c.rest().find_first_not_of("0123456789"));
  if (digits.empty()) return fail(c.expected("a non-negative integer"));
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc()) return fail(c.error("the number is too large"));
  c.advance(size_t(end - digits.data()));
  c.skip_blanks();
  if (!c.at_end()) return fail(c.expected("a digit or end of input"));
  return v;
}

}  // namespace latchkey::api::rest
