#pragma once
// The JSON body of POST (insert, upsert) and PATCH (update) on /rest/v1/user_data, as
// store::ItemValues rows (shared/reference/supabase-wire.md section 9.3).
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/item_query.hpp"

namespace latchkey::api::rest {

// An insert body: one object or an array of objects ([] inserts nothing). Which columns each
// row carries:
//   - with `columns` (columns=): those columns; other keys are ignored, as PostgREST does;
//   - without: every key of any object (a single object: its keys).
// A carried column that a row's object lacks is NULL for that row, unless `missing_default`
// (Prefer: missing=default), when it is left out and takes its DEFAULT; a column carried by
// no row always takes its DEFAULT.
//
// Errors: PGRST102 (empty, not JSON, invalid UTF-8, nested deeper than kMaxJsonDepth, not an
// object or array of objects); 22P05 (U+0000 in any key or string); PGRST204 (a key that is
// no column, when it is not ignored); then the value rules of json_value_for.
Result<std::vector<store::ItemValues>> parse_insert_body(
    std::string_view body, const std::optional<std::vector<store::ItemColumn>>& columns,
    bool missing_default);

// An update body: one object; only the columns it carries change (restricted to `columns`
// when given). An empty object changes nothing: what that answers is the surface's choice.
// Errors as for parse_insert_body (an array is PGRST102).
Result<store::ItemValues> parse_update_body(
    std::string_view body, const std::optional<std::vector<store::ItemColumn>>& columns);

// One JSON value for column `c`; nullopt is SQL NULL (JSON null). Rules:
//   id, user_id      a uuid string (22P02 otherwise)
//   title, content   a string (22P02 for any other JSON type: PostgreSQL would turn 5 into
//                    "5", but a client sending a number for a text column has a bug worth
//                    showing); title at most 255 code points (22001)
//   created_at, ...  a timestamp string as parse_timestamp reads it (22007 otherwise)
//   metadata         an object, canonical text; an array or scalar is 23514, the tutorial's
//                    "object or null" rule on every surface
Result<std::optional<store::Literal>> json_value_for(store::ItemColumn c, const nlohmann::json& v);

}  // namespace latchkey::api::rest
