#include "api/rest/request_headers.hpp"

#include <charconv>

#include "core/ascii.hpp"

namespace latchkey::api::rest {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `f` with each trimmed, non-empty piece of `s` between `sep`s.
template <class F>
void for_each_piece(std::string_view s, char sep, F&& f) {
  while (!s.empty()) {
    const size_t at = s.find(sep);
    const std::string_view piece = trim(s.substr(0, at));
    s = at == std::string_view::npos ? std::string_view() : s.substr(at + 1);
    if (!piece.empty()) f(piece);
  }
}

// Sets `slot` from `token` if it is `<key>=<one of the values>` and `slot` is still unset
// (the first value of a preference wins). True if the token is one of them.
template <class T, size_t N>
bool match_pref(std::string_view token, std::string_view key,
                const std::pair<std::string_view, T> (&values)[N], std::optional<T>& slot) {
  if (token.substr(0, key.size()) != key || token.substr(key.size(), 1) != "=") return false;
  const std::string_view value = token.substr(key.size() + 1);
  for (const auto& [text, v] : values) {
    if (text != value) continue;
    if (!slot) slot = v;
    return true;
  }
  return false;
}

bool match_max_affected(std::string_view token, bool& seen, std::optional<int64_t>& slot) {
  constexpr std::string_view kKey = "max-affected=";
  if (token.substr(0, kKey.size()) != kKey) return false;
  // As PostgREST: only the first max-affected counts, and an unreadable one is no limit.
  if (seen) return true;
  seen = true;
  const std::string_view n = token.substr(kKey.size());
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
  if (ec == std::errc() && end == n.data() + n.size() && !n.empty() && v >= 0) slot = v;
  return true;
}

}  // namespace

Preferences parse_prefer(std::string_view header) {
  using P = std::pair<std::string_view, ReturnPref>;
  static constexpr P kReturn[] = {{"minimal", ReturnPref::minimal},
                                  {"representation", ReturnPref::representation},
                                  {"headers-only", ReturnPref::headers_only}};
  static constexpr std::pair<std::string_view, CountPref> kCount[] = {
      {"exact", CountPref::exact}, {"planned", CountPref::planned},
      {"estimated", CountPref::estimated}};
  static constexpr std::pair<std::string_view, ResolutionPref> kResolution[] = {
      {"merge-duplicates", ResolutionPref::merge_duplicates},
      {"ignore-duplicates", ResolutionPref::ignore_duplicates}};
  static constexpr std::pair<std::string_view, MissingPref> kMissing[] = {
      {"default", MissingPref::default_}, {"null", MissingPref::null}};
  static constexpr std::pair<std::string_view, TxPref> kTx[] = {{"commit", TxPref::commit},
                                                                {"rollback", TxPref::rollback}};
  static constexpr std::pair<std::string_view, HandlingPref> kHandling[] = {
      {"strict", HandlingPref::strict}, {"lenient", HandlingPref::lenient}};

  Preferences p;
  bool max_affected_seen = false;
  for_each_piece(header, ',', [&](std::string_view token) {
    const bool known = match_pref(token, "return", kReturn, p.return_pref) ||
                       match_pref(token, "count", kCount, p.count) ||
                       match_pref(token, "resolution", kResolution, p.resolution) ||
                       match_pref(token, "missing", kMissing, p.missing) ||
                       match_pref(token, "tx", kTx, p.tx) ||
                       match_pref(token, "handling", kHandling, p.handling) ||
                       match_max_affected(token, max_affected_seen, p.max_affected);
    if (!known) p.invalid.emplace_back(token);
  });
  return p;
}

std::string preference_applied(const Preferences& p) {
  std::string out;
  auto add = [&out](std::string_view s) {
    if (!out.empty()) out += ", ";
    out += s;
  };
  if (p.resolution) {
    add(*p.resolution == ResolutionPref::merge_duplicates ? "resolution=merge-duplicates"
                                                          : "resolution=ignore-duplicates");
  }
  if (p.missing) add(*p.missing == MissingPref::default_ ? "missing=default" : "missing=null");
  if (p.return_pref) {
    static constexpr std::string_view kText[] = {"return=minimal", "return=representation",
                                                 "return=headers-only"};
    add(kText[static_cast<int>(*p.return_pref)]);
  }
  if (p.count) {
    static constexpr std::string_view kText[] = {"count=exact", "count=planned",
                                                 "count=estimated"};
    add(kText[static_cast<int>(*p.count)]);
  }
  if (p.handling) add(*p.handling == HandlingPref::strict ? "handling=strict" : "handling=lenient");
  if (p.handling == HandlingPref::strict && p.max_affected) {
    add("max-affected=" + std::to_string(*p.max_affected));
  }
  return out;
}

Result<void> check_profile(std::string_view profile) {
  const std::string_view schema = trim(profile);
  if (schema.empty() || schema == "public") return {};
  return fail(Error::make(ErrorCode::invalid_schema, "Invalid schema: " + std::string(schema))
                  .with_details("", "Only the following schemas are exposed: public"));
}

}  // namespace latchkey::api::rest
