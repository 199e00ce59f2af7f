#include "api/rest/query_parser.hpp"

#include <algorithm>
#include <limits>

#include "api/rest/filter_syntax.hpp"
#include "api/rest/param_syntax.hpp"
#include "api/rest/query_string.hpp"
#include "api/rest/resolve.hpp"
#include "api/rest/syntax.hpp"

namespace latchkey::api::rest {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// What the syntax pass makes of the query string, before any name meets the table.
struct RawQuery {
  std::optional<std::vector<RawSelectItem>> select;
  std::optional<std::vector<RawOrderTerm>> order;
  std::optional<int64_t> limit, offset;
  std::optional<std::vector<std::string>> columns, on_conflict;
  RawGroup where;  // filters and logic trees in query order, ANDed
  FilterBudget budget;
};

bool is_logic_key(std::string_view k) {
  return k == "or" || k == "and" || k == "not.or" || k == "not.and";
}

// PostgREST takes the first or the last of a repeated parameter depending on which; refusing
// the repetition leaves no doubt about which limit or order a request ran with.
Error repeated(std::string_view key) {
  return Error::make(ErrorCode::query_parse_failed,
                     "The parameter '" + std::string(key) + "' may be given only once");
}

template <class T>
Result<void> set_once(std::optional<T>& slot, std::string_view key, Result<T> parsed) {
  if (slot) return fail(repeated(key));
  if (!parsed) return fail(std::move(parsed).error());
  slot = std::move(*parsed);
  return {};
}

Result<int64_t> parse_limit(std::string_view text) {
  auto n = parse_non_negative(text, "limit parameter");
  if (n && *n > kMaxLimit) {
    return fail(over_limit("limit may be at most " + std::to_string(kMaxLimit)));
  }
  return n;
}

// One parameter, by its key. An absent value (`?select`) reads as an absent parameter for
// the reserved ones; an empty order, limit, offset or logic tree is ignored, as PostgREST's
// `nonemptyParams` does.
Result<void> read_param(const QueryParam& p, RawQuery& raw) {
  const std::string_view key = p.key;
  const std::string_view value = p.value ? std::string_view(*p.value) : std::string_view();
  const bool absent = !p.value;
  if (key == "apikey") return {};  // the gateway's
  if (key == "select") return absent ? Result<void>() : set_once(raw.select, key, parse_select(value));
  if (key == "columns") {
    return absent ? Result<void>()
                  : set_once(raw.columns, key, parse_name_list(value, "columns parameter"));
  }
  if (key == "on_conflict") {
    return absent ? Result<void>()
                  : set_once(raw.on_conflict, key, parse_name_list(value, "on_conflict parameter"));
  }
  const bool empty = value.empty();
  if (key == "order") return empty ? Result<void>() : set_once(raw.order, key, parse_order(value));
  if (key == "limit") return empty ? Result<void>() : set_once(raw.limit, key, parse_limit(value));
  if (key == "offset") {
    return empty ? Result<void>()
                 : set_once(raw.offset, key, parse_non_negative(value, "offset parameter"));
  }
  if (is_logic_key(key)) {
    if (empty) return {};
    auto group = parse_logic(key, value, raw.budget);
    if (!group) return fail(std::move(group).error());
    raw.where.children.push_back(RawNode{std::move(*group)});
    return {};
  }
  if (key == "not") {
    Cursor c(key, "logic path");
    c.advance(key.size());
    return fail(c.expected("\".or\" or \".and\""));
  }
  auto field = parse_filter_key(key);
  if (!field) return fail(std::move(field).error());
  auto cmp = parse_filter(std::move(*field), value, raw.budget);
  if (!cmp) return fail(std::move(cmp).error());
  raw.where.children.push_back(RawNode{std::move(*cmp)});
  return {};
}

int64_t saturating_add(int64_t a, int64_t b) { return a > kInt64Max - b ? kInt64Max : a + b; }

// Digits to a number, saturating: a Range bound past int64 selects nothing more than the
// largest one would.
int64_t saturating_digits(std::string_view digits) {
  int64_t v = 0;
  for (char d : digits) {
    const int64_t n = d - '0';
    if (v > (kInt64Max - n) / 10) return kInt64Max;
    v = v * 10 + n;
  }
  return v;
}

struct Window {
  int64_t lower = 0;
  std::optional<int64_t> upper;  // inclusive; none: unbounded
};

// `Range: <lower>-[<upper>]`, exactly (PostgREST's ^([0-9]+)-([0-9]*)$); anything else is
// no range.
std::optional<Window> header_window(std::string_view range) {
  const size_t dash = range.find('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  const std::string_view lo = range.substr(0, dash), hi = range.substr(dash + 1);
  const auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!all_digits(lo) || !all_digits(hi)) return std::nullopt;
  Window w{saturating_digits(lo), std::nullopt};
  if (!hi.empty()) w.upper = saturating_digits(hi);
  return w;
}

Error empty_range() {
  return Error::make(ErrorCode::range_not_satisfiable, "Requested range not satisfiable")
      .with_details("The lower boundary must be lower than or equal to the upper boundary in "
                    "the Range header.");
}

// limit/offset intersected with the Range header, as PostgREST's headerAndLimitRange.
Result<void> apply_window(const RawQuery& raw, std::string_view range_header,
                          store::ItemQuery& q) {
  if (raw.limit == 0) {  // PostgREST's limit-zero range bypasses everything else
    q.offset = 0;
    q.limit = 0;
    return {};
  }
  Window w{raw.offset.value_or(0), std::nullopt};
  if (raw.limit) w.upper = saturating_add(w.lower, *raw.limit - 1);
  if (auto h = header_window(range_header)) {
    w.lower = std::max(w.lower, h->lower);
    if (h->upper) w.upper = w.upper ? std::min(*w.upper, *h->upper) : *h->upper;
  }
  if (w.upper && *w.upper < w.lower) return fail(empty_range());
  q.offset = w.lower;
  if (w.upper) q.limit = saturating_add(*w.upper - w.lower, 1);
  return {};
}

Result<ParsedQuery> resolve(const RawQuery& raw, std::string_view range_header) {
  ParsedQuery out;
  if (raw.select) {
    auto select = resolve_select(*raw.select);
    if (!select) return fail(std::move(select).error());
    out.select = std::move(*select);
  }
  auto where = resolve_group(raw.where);
  if (!where) return fail(std::move(where).error());
  out.query.where = std::move(*where);
  if (raw.order) {
    auto order = resolve_order(*raw.order);
    if (!order) return fail(std::move(order).error());
    out.query.order = std::move(*order);
  }
  if (raw.columns) {
    auto columns = resolve_insert_columns(*raw.columns);
    if (!columns) return fail(std::move(columns).error());
    out.columns = std::move(*columns);
  }
  if (raw.on_conflict) {
    auto target = resolve_on_conflict(*raw.on_conflict);
    if (!target) return fail(std::move(target).error());
    out.on_conflict = std::move(*target);
  }
  if (auto ok = apply_window(raw, range_header, out.query); !ok) return fail(std::move(ok).error());
  return out;
}

}  // namespace

std::vector<SelectItem> all_columns() {
  std::vector<SelectItem> out;
  for (auto c : store::kItemColumns) out.push_back(SelectItem{c, std::string(store::column_name(c))});
  return out;
}

Result<ParsedQuery> parse_query(std::string_view raw_query, std::string_view range_header) {
  auto params = decode_query(raw_query);
  if (!params) return fail(std::move(params).error());
  RawQuery raw;
  for (const auto& p : *params) {
    if (auto ok = read_param(p, raw); !ok) return fail(std::move(ok).error());
  }
  return resolve(raw, range_header);
}

Result<RestRequest> parse_request(http::Method method, std::string_view raw_query,
                                  const RestHeaders& headers) {
  const bool reads = method == http::Method::get || method == http::Method::head;
  auto profile = check_profile(reads ? headers.accept_profile : headers.content_profile);
  if (!profile) return fail(std::move(profile).error());
  // RFC 9110: Range is defined for GET only (PostgREST ignores it on HEAD too).
  auto parsed =
      parse_query(raw_query, method == http::Method::get ? headers.range : std::string_view());
  if (!parsed) return fail(std::move(parsed).error());
  RestRequest r{std::move(*parsed), parse_prefer(headers.prefer), {}, std::nullopt};
  r.parsed.query.count = r.prefer.count.has_value();
  auto media = negotiate_media(headers.accept);
  if (!media) return fail(std::move(media).error());
  r.media = *media;
  if (method == http::Method::post && r.prefer.resolution) {
    r.upsert = store::Upsert{
        .on_conflict = r.parsed.on_conflict.value_or(std::vector{store::ItemColumn::id}),
        .ignore_duplicates = r.prefer.resolution == ResolutionPref::ignore_duplicates};
  }
  return r;
}

}  // namespace latchkey::api::rest
