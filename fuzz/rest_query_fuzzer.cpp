// The PostgREST layer (src/api/rest) on hostile input. The input is split on '\n' into the
// query string, the Prefer, Accept and Range headers, and the rest is a request body. Beyond
// "no crash", it checks what the parser promises: the bounds of limits.hpp, only known
// columns, literals of their column's type, errors from the PostgREST catalogue, and output
// that is valid JSON.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/rest/query_parser.hpp"
#include "api/rest/row_body.hpp"
#include "api/rest/row_json.hpp"
#include "core/utf8.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace latchkey;
using namespace latchkey::api::rest;
using store::ColumnType;
using store::ItemColumn;

bool known(ItemColumn c) { return !store::column_name(c).empty(); }

// The literal's alternative is the one its column's type takes.
bool literal_fits(ItemColumn c, const store::Literal& v) {
  switch (store::column_type(c)) {
    case ColumnType::text: return std::holds_alternative<std::string>(v);
    case ColumnType::uuid: return std::holds_alternative<core::Uuid>(v);
    case ColumnType::timestamp: return std::holds_alternative<core::Micros>(v);
    case ColumnType::jsonb: {
      const auto* j = std::get_if<store::JsonText>(&v);
      return j && nlohmann::json::accept(j->text);
    }
  }
  return false;
}

void check_comparison(const store::Comparison& c) {
  LATCHKEY_FUZZ_CHECK(known(c.column));
  using store::FilterOp;
  if (c.op == FilterOp::is) {
    LATCHKEY_FUZZ_CHECK(c.values.empty());
    LATCHKEY_FUZZ_CHECK(c.is == store::IsValue::null || c.is == store::IsValue::not_null);
  } else if (c.op == FilterOp::in) {
    LATCHKEY_FUZZ_CHECK(c.values.size() <= kMaxInValues);
  } else {
    LATCHKEY_FUZZ_CHECK(c.values.size() == 1);
  }
  const bool pattern = c.op == FilterOp::like || c.op == FilterOp::ilike;
  if (pattern) LATCHKEY_FUZZ_CHECK(store::column_type(c.column) == ColumnType::text);
  for (const auto& v : c.values) {
    LATCHKEY_FUZZ_CHECK(literal_fits(c.column, v));
    if (const auto* s = std::get_if<std::string>(&v)) {
      LATCHKEY_FUZZ_CHECK(s->find('\0') == std::string::npos);
      LATCHKEY_FUZZ_CHECK(core::utf8_length(*s).has_value());
      if (pattern) LATCHKEY_FUZZ_CHECK(s->find('*') == std::string::npos);
    }
  }
}

// Counts comparisons and returns the nesting depth below `g` (its children's groups).
int check_group(const store::FilterGroup& g, size_t& comparisons) {
  int depth = 0;
  for (const auto& child : g.children) {
    if (const auto* c = std::get_if<store::Comparison>(&child.node)) {
      check_comparison(*c);
      ++comparisons;
    } else {
      const auto& sub = std::get<store::FilterGroup>(child.node);
      LATCHKEY_FUZZ_CHECK(!sub.children.empty());  // the grammar has no empty and()/or()
      depth = std::max(depth, 1 + check_group(sub, comparisons));
    }
  }
  return depth;
}

bool catalogue_code(ErrorCode code) {
  // query_parse_failed .. untranslatable_character, in enum order (core/error_code.hpp).
  return code >= ErrorCode::query_parse_failed && code <= ErrorCode::untranslatable_character;
}

void check_error(const Error& e) {
  LATCHKEY_FUZZ_CHECK(catalogue_code(e.public_code));
  LATCHKEY_FUZZ_CHECK(!e.public_message().empty());
  LATCHKEY_FUZZ_CHECK(e.detail.empty());  // nothing meant for logs only
}

store::ItemRecord sample_row() {
  store::ItemRecord r;
  r.id = ItemId{*core::Uuid::parse("0b6c5e2a-1111-4222-8333-444455556666")};
  r.title = "t";
  r.content = "c";
  r.created_at = 1735689600LL * 1'000'000;
  return r;
}

void check_query(const ParsedQuery& q) {
  size_t comparisons = 0;
  LATCHKEY_FUZZ_CHECK(!q.query.where.any && !q.query.where.negated);
  LATCHKEY_FUZZ_CHECK(check_group(q.query.where, comparisons) <= kMaxLogicDepth);
  LATCHKEY_FUZZ_CHECK(comparisons <= kMaxFilters);
  LATCHKEY_FUZZ_CHECK(!q.select.empty());
  LATCHKEY_FUZZ_CHECK(q.select.size() <= kMaxSelectItems * std::size(store::kItemColumns));
  for (const auto& item : q.select) LATCHKEY_FUZZ_CHECK(known(item.column) && !item.key.empty());
  LATCHKEY_FUZZ_CHECK(q.query.order.size() <= kMaxOrderTerms);
  // Every column orders, metadata too (as PostgREST orders jsonb; api/rest/resolve.cpp).
  for (const auto& t : q.query.order) LATCHKEY_FUZZ_CHECK(known(t.column));
  LATCHKEY_FUZZ_CHECK(q.query.offset >= 0);
  if (q.query.limit) LATCHKEY_FUZZ_CHECK(*q.query.limit >= 0);
  if (q.on_conflict) LATCHKEY_FUZZ_CHECK(*q.on_conflict == std::vector{ItemColumn::id});
  if (q.columns) {
    for (auto c : *q.columns) LATCHKEY_FUZZ_CHECK(known(c));
  }
  // What the selection renders is JSON, whatever the aliases hold.
  auto body = render_rows({sample_row()}, q.select, {});
  LATCHKEY_FUZZ_CHECK(body && nlohmann::json::accept(*body));
}

void check_body(std::string_view body, const std::optional<std::vector<ItemColumn>>& columns) {
  auto rows = parse_insert_body(body, columns, /*missing_default=*/false);
  if (!rows) {
    check_error(rows.error());
    return;
  }
  for (const auto& row : *rows) {
    for (const auto& [column, value] : row) {
      LATCHKEY_FUZZ_CHECK(known(column));
      if (columns) LATCHKEY_FUZZ_CHECK(std::find(columns->begin(), columns->end(), column) != columns->end());
      if (!value) continue;
      LATCHKEY_FUZZ_CHECK(literal_fits(column, *value));
      if (column == ItemColumn::metadata) {
        LATCHKEY_FUZZ_CHECK(nlohmann::json::parse(std::get<store::JsonText>(*value).text).is_object());
      }
      if (column == ItemColumn::title) {
        LATCHKEY_FUZZ_CHECK(core::utf8_length(std::get<std::string>(*value)).value_or(256) <= 255);
      }
    }
  }
}

std::string_view next_line(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view query = next_line(rest);
  const RestHeaders headers{.prefer = next_line(rest),
                            .accept = next_line(rest),
                            .range = next_line(rest),
                            .accept_profile = {},
                            .content_profile = {}};
  const std::string_view body = rest;

  auto parsed = parse_query(query, headers.range);
  std::optional<std::vector<ItemColumn>> columns;
  if (parsed) {
    check_query(*parsed);
    columns = parsed->columns;
  } else {
    check_error(parsed.error());
  }

  auto request = parse_request(latchkey::http::Method::get, query, headers);
  // The combined parse agrees with the query parse when the headers are acceptable.
  if (request) {
    LATCHKEY_FUZZ_CHECK(parsed.has_value());
    LATCHKEY_FUZZ_CHECK(request->parsed.query.count == request->prefer.count.has_value());
  } else {
    check_error(request.error());
  }

  const auto prefer = parse_prefer(headers.prefer);
  for (const auto& token : prefer.invalid) {
    LATCHKEY_FUZZ_CHECK(!token.empty() && token.front() != ' ' && token.back() != ' ');
  }
  auto media = negotiate_media(headers.accept);
  if (!media) check_error(media.error());

  check_body(body, columns);
  auto update = parse_update_body(body, columns);
  if (!update) check_error(update.error());
  return 0;
}
