#pragma once
// Rows of user_data as PostgREST renders them (shared/reference/supabase-wire.md section 9),
// and the Content-Range and status of a read.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/rest/query_parser.hpp"
#include "core/error.hpp"
#include "store/records.hpp"

namespace latchkey::api::rest {

// Appends one row as a JSON object: the selected columns in select order, under their keys
// (an item selected twice appears twice, as PostgreSQL's row_to_json writes it). uuids as
// strings, timestamps in format_timestamp's form, metadata as JSON (null when none);
// `strip_nulls` leaves out null values (Accept ...;nulls=stripped).
void append_row_json(std::string& out, const store::ItemRecord& row,
                     const std::vector<SelectItem>& select, bool strip_nulls = false);

// The body for `rows` in the negotiated shape: a JSON array, or for media.single the bare
// object, which needs exactly one row: otherwise 406 PGRST116 "Cannot coerce the result to a
// single JSON object", details "The result contains N rows".
Result<std::string> render_rows(const std::vector<store::ItemRecord>& rows,
                                const std::vector<SelectItem>& select, const MediaChoice& media);

// 406 PGRST116 for a .single() result of `rows` rows.
Error not_single_row(size_t rows);

// Content-Range: `<first>-<last>/<total>` for `rows` rows starting at `offset`; `*/<total>`
// when there are none; the total is `*` when not counted.
std::string content_range(int64_t offset, size_t rows, std::optional<int64_t> total);

// The status of a GET (or HEAD) from its page and, with Prefer count, the total: 200, or 206
// when fewer rows were returned than the total; an offset past the total is 416 PGRST103
// (its Content-Range is then content_range(offset, 0, total)).
Result<int> read_status(int64_t offset, size_t rows, std::optional<int64_t> total);

}  // namespace latchkey::api::rest
