#pragma once
// A PostgREST request on /rest/v1/user_data as typed values: the query string (select,
// filters, logic trees, order, limit/offset, columns, on_conflict) and the Range, Prefer,
// Accept and profile headers. Pure: no server, no store; every failure is the Error
// PostgREST (or PostgreSQL behind it) would answer with. The wire forms are those of
// shared/reference/supabase-wire.md sections 8 to 10.
//
// Supported in select: `*`, `col`, `"col"`, `alias:col`. Refused with PGRST100: casts
// (`col::text`), JSON arrows (`metadata->a`), embedded and spread resources.
// Filter operators: eq neq gt gte lt lte like ilike is in isdistinct, each under `not.`;
// PostgREST's others (cs cd ov sl sr nxr nxl adj match imatch fts...) are a PGRST100 naming
// the operator. Unlike PostgREST, which ignores a parameter whose value has no known operator
// on a table (it could be an RPC argument), every parameter that is not reserved must be a
// filter: silently dropping one a client meant could widen a PATCH or DELETE.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/rest/limits.hpp"
#include "api/rest/request_headers.hpp"
#include "core/error.hpp"
#include "http/message.hpp"
#include "store/item_query.hpp"

namespace latchkey::api::rest {

// One select item: which column, rendered under which JSON key (its alias, else its name).
struct SelectItem {
  store::ItemColumn column = store::ItemColumn::id;
  std::string key;
  friend bool operator==(const SelectItem&, const SelectItem&) = default;
};

// Every column in table order: select=* (and no select at all).
std::vector<SelectItem> all_columns();

struct ParsedQuery {
  std::vector<SelectItem> select = all_columns();
  // where: the filters and logic trees ANDed, in query order; order; offset and limit from
  // limit=, offset= and the Range header. `count` is left false: it comes from Prefer.
  store::ItemQuery query;
  std::optional<std::vector<store::ItemColumn>> columns;      // columns=, each once
  std::optional<std::vector<store::ItemColumn>> on_conflict;  // on_conflict=, each once
};

// Parses the raw query string (http::Request::query, not yet decoded) and, for GET, the
// Range header (`a-b` or `a-`; other forms are ignored, and Range-Unit is not consulted, as in
// PostgREST). Range and limit/offset intersect; limit=0 is an empty page whatever the Range.
//
// Errors, checked in PostgREST's order (syntax of every parameter first, then the schema and
// the literals' types):
//   PGRST100  bad escapes, syntax, unknown operators, a reserved parameter given twice,
//             limits exceeded (limits.hpp), negative or non-integer limit/offset
//   PGRST103  a Range that selects nothing (its lower bound past its upper, or past limit)
//   42703     a column that does not exist (select, filters, order, on_conflict)
//   PGRST204  a columns= name that is no column
//   42P10     on_conflict naming a column without a unique constraint (only id has one)
//   22P02 / 22007 / 22P05  literals that are no uuid / timestamp / JSON, or hold U+0000
//   42804     is.true / is.false / is.unknown (user_data has no boolean column)
//   42883     like/ilike on a non-text column; gt/gte/lt/lte on metadata (latchkey does not
//             compare jsonb values: its backends would compare them differently). order on
//             metadata is served: only NULL placement is the same on every backend
// The apikey parameter is the gateway's and ignored here.
Result<ParsedQuery> parse_query(std::string_view raw_query, std::string_view range_header = {});

// The request headers parse_request reads, as http::Request::header_list gives them
// (empty when absent).
struct RestHeaders {
  std::string_view prefer = {};
  std::string_view accept = {};
  std::string_view range = {};
  std::string_view accept_profile = {};   // read by GET and HEAD
  std::string_view content_profile = {};  // read by POST, PUT, PATCH and DELETE
};

struct RestRequest {
  ParsedQuery parsed;  // parsed.query.count is set when Prefer asks for any count
  Preferences prefer;
  MediaChoice media;
  // For POST with Prefer resolution=...: the conflict target (on_conflict=, else id).
  std::optional<store::Upsert> upsert;
};

// Everything but the body, in PostgREST's order: the profile (406), the query (400 and
// the codes above), Prefer (never fails), Accept (406). count=planned and count=estimated
// are counted exactly: a client reads the total as a number either way.
Result<RestRequest> parse_request(http::Method method, std::string_view raw_query,
                                  const RestHeaders& headers);

}  // namespace latchkey::api::rest
