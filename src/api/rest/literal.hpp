#pragma once
// Text to typed values for user_data's columns, the way PostgreSQL's input functions read
// them, and the PostgreSQL spelling of types and timestamps for messages and JSON output.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/item_query.hpp"

namespace latchkey::api::rest {

// The column's type as PostgreSQL names it in messages ("uuid", "character varying",
// "text", "jsonb", "timestamp with time zone").
std::string_view sql_type_name(store::ItemColumn c);

// timestamptz input in UTC: `2025-01-01`, `2025-01-01T12:00`, `2025-01-01 12:00:00.5`,
// with an optional `Z`, `+hh`, `+hh:mm` or `+hhmm` offset (none means UTC, as a server whose
// TimeZone is UTC reads it). Fractions beyond microseconds are rounded half up. Refused:
// years outside 0001..9999, BC, and PostgreSQL's special words (now, today, infinity...),
// which need a clock or cannot be a core::Micros.
std::optional<core::Micros> parse_timestamp(std::string_view text);

// PostgreSQL's JSON form of a timestamptz in UTC: `2025-01-01T12:00:00.1234+00:00`
// (trailing zero digits of the fraction dropped; no fraction when it is zero).
std::string format_timestamp(core::Micros t);

// A query-string value as a literal of the column's type: text as is, uuid via
// core::Uuid::parse (22P02), timestamps via parse_timestamp (22007), jsonb parsed and
// re-dumped canonically (22P02 if not JSON, 22P05 if it holds U+0000).
Result<store::Literal> literal_from_text(store::ItemColumn c, std::string_view text);

// The canonical text of a JSON value (store::JsonText's rule).
store::JsonText canonical_json(const nlohmann::json& v);

// 22P02 `invalid input syntax for type uuid: "x"`.
Error invalid_uuid(std::string_view text);
// 22007 `invalid input syntax for type timestamp with time zone: "x"`.
Error invalid_timestamp(std::string_view text);
// 22P05 for U+0000 in a JSON value (PostgreSQL's jsonb cannot hold it).
Error nul_in_json_value();

}  // namespace latchkey::api::rest
