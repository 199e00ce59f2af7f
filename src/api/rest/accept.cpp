// Accept negotiation (declared in request_headers.hpp).
#include <charconv>

#include "api/rest/request_headers.hpp"
#include "core/ascii.hpp"

namespace latchkey::api::rest {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One media range of Accept, e.g. `application/vnd.pgrst.object+json;nulls=stripped;q=0.5`.
struct Range {
  std::string type;  // lower-cased `type/subtype`
  double q = 1;
  bool nulls_stripped = false;
};

// `q` as RFC 9110 writes it; an unreadable one counts as 1, as lenient servers read it.
double parse_q(std::string_view v) {
  double q = 1;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
  if (ec != std::errc() || end != v.data() + v.size() || q < 0 || q > 1) return 1;
  return q;
}

Range parse_range(std::string_view text) {
  Range r;
  size_t semi = text.find(';');
  r.type = core::ascii_lower(trim(text.substr(0, semi)));
  while (semi != std::string_view::npos) {
    text = text.substr(semi + 1);
    semi = text.find(';');
    const std::string_view param = trim(text.substr(0, semi));
    const size_t eq = param.find('=');
    const std::string name = core::ascii_lower(trim(param.substr(0, eq)));
    const std::string_view value = eq == std::string_view::npos ? "" : trim(param.substr(eq + 1));
    if (name == "q") r.q = parse_q(value);
    if (name == "nulls") r.nulls_stripped = core::ascii_lower(value) == "stripped";
  }
  return r;
}

// What a range gives us, if we produce it.
std::optional<MediaChoice> offer_for(const Range& r) {
  if (r.type == "*/*" || r.type == "application/*" || r.type == "application/json") {
    return MediaChoice{};
  }
  if (r.type == "application/vnd.pgrst.array+json") {
    return MediaChoice{.single = false, .strip_nulls = r.nulls_stripped};
  }
  if (r.type == "application/vnd.pgrst.object+json" || r.type == "application/vnd.pgrst.object") {
    return MediaChoice{.single = true, .strip_nulls = r.nulls_stripped};
  }
  return std::nullopt;
}

// */* < type/* < type/subtype: the more specific range wins a tie in q.
int specificity(const Range& r) {
  if (r.type == "*/*") return 0;
  if (r.type.size() >= 2 && r.type.compare(r.type.size() - 2, 2, "/*") == 0) return 1;
  return 2;
}

// A wildcard stands for application/json only where no more specific range of Accept names
// it: `application/json;q=0, */*` refuses JSON rather than accepting it through `*/*`.
bool overridden(const Range& wildcard, const std::vector<Range>& ranges) {
  if (wildcard.type != "*/*" && wildcard.type != "application/*") return false;
  for (const auto& r : ranges) {
    const bool names_json = r.type == "application/json" || r.type == "application/*";
    if (names_json && specificity(r) > specificity(wildcard)) return true;
  }
  return false;
}

Error not_acceptable(const std::vector<Range>& ranges) {
  std::string asked;
  for (const auto& r : ranges) {
    if (!asked.empty()) asked += ", ";
    asked += r.type;
  }
  return Error::make(ErrorCode::not_acceptable, "None of these media types are available: " + asked)
      .with_details("Accept asked for " + asked +
                    "; available: application/json, application/vnd.pgrst.object+json, "
                    "application/vnd.pgrst.array+json");
}

}  // namespace

std::string content_type(const MediaChoice& m) {
  std::string t = m.single ? "application/vnd.pgrst.object+json"
                           : (m.strip_nulls ? "application/vnd.pgrst.array+json" : "application/json");
  if (m.strip_nulls) t += "; nulls=stripped";
  return t + "; charset=utf-8";
}

Result<MediaChoice> negotiate_media(std::string_view accept) {
  std::vector<Range> ranges;
  std::string_view rest = accept;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view piece = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!piece.empty()) ranges.push_back(parse_range(piece));
  }
  if (ranges.empty()) return MediaChoice{};
  const Range* best = nullptr;
  for (const auto& r : ranges) {
    if (r.q <= 0 || !offer_for(r) || overridden(r, ranges)) continue;
    // Strictly better only: among equals the earlier range stays.
    if (!best || r.q > best->q || (r.q == best->q && specificity(r) > specificity(*best))) {
      best = &r;
    }
  }
  if (!best) return fail(not_acceptable(ranges));
  return *offer_for(*best);
}

}  // namespace latchkey::api::rest
