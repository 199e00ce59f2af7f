#pragma once
// The headers that shape a PostgREST request: Prefer, Accept, Accept-Profile and
// Content-Profile (shared/reference/supabase-wire.md section 8.2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace latchkey::api::rest {

enum class ReturnPref { minimal, representation, headers_only };
enum class CountPref { exact, planned, estimated };
enum class ResolutionPref { merge_duplicates, ignore_duplicates };
enum class MissingPref { default_, null };
enum class TxPref { commit, rollback };
enum class HandlingPref { strict, lenient };

// What `Prefer` asked for; unset members were not asked (the surface applies the default,
// e.g. return=minimal for writes). As in PostgREST, the first value of each preference wins,
// tokens are compared exactly, and anything else is collected in `invalid` rather than
// refused (PostgREST's lenient default); handling=strict asks the surface to refuse them,
// which it does with its own error.
struct Preferences {
  std::optional<ReturnPref> return_pref;
  std::optional<CountPref> count;
  std::optional<ResolutionPref> resolution;
  std::optional<MissingPref> missing;
  std::optional<TxPref> tx;
  std::optional<HandlingPref> handling;
  std::optional<int64_t> max_affected;  // max-affected=N, N a non-negative integer
  std::vector<std::string> invalid;     // unrecognised tokens, in order, trimmed

  bool representation() const { return return_pref == ReturnPref::representation; }
  bool missing_default() const { return missing == MissingPref::default_; }
};

// The `Prefer` header as http::Request::header_list joins its lines: split on ',', each
// token trimmed of spaces and tabs.
Preferences parse_prefer(std::string_view header);

// The `Preference-Applied` value for what was honoured (PostgREST's order); empty if none.
// max-affected is echoed only with handling=strict, which is when PostgREST applies it; tx
// never is: like PostgREST's default (db-tx-end=commit), latchkey always commits.
std::string preference_applied(const Preferences& p);

// The response body's shape, chosen from `Accept`.
struct MediaChoice {
  bool single = false;       // application/vnd.pgrst.object+json: one bare object
  bool strip_nulls = false;  // ;nulls=stripped on vnd.pgrst.object+json / vnd.pgrst.array+json
  friend bool operator==(const MediaChoice&, const MediaChoice&) = default;
};

// Content-Type of a response body in this shape, with charset.
std::string content_type(const MediaChoice& m);

// Chooses from `Accept` (header_list form): empty, `*/*`, `application/*`,
// `application/json` and `application/vnd.pgrst.array+json` give an array;
// `application/vnd.pgrst.object+json` (or `application/vnd.pgrst.object`) one object. Each
// range may carry parameters; `q` orders them (q=0 refuses one), more specific ranges win
// ties, then earlier ones. Nothing acceptable (text/csv included: not implemented) is a 406
// not_acceptable, `None of these media types are available: <types asked>`.
Result<MediaChoice> negotiate_media(std::string_view accept);

// Accept-Profile (reads) or Content-Profile (writes): absent or `public` is fine; anything
// else is a 406 invalid_schema, "Invalid schema: x", hint "Only the following schemas are
// exposed: public".
Result<void> check_profile(std::string_view profile);

}  // namespace latchkey::api::rest
