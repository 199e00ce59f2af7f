#include "api/rest/row_json.hpp"

#include <nlohmann/json.hpp>

#include "api/rest/literal.hpp"
#include "core/json_text.hpp"

namespace latchkey::api::rest {
namespace {

using store::ItemColumn;

// Stored metadata is canonical JSON text written by our own surfaces; it is parsed rather
// than copied so that a damaged value can never make the whole body invalid JSON: one
// that does not parse is sent as a JSON string holding the text.
void append_metadata(std::string& out, const std::string& text) {
  const auto v = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    core::append_json_string(out, text);
  } else {
    out += v.dump();
  }
}

bool is_null(const store::ItemRecord& row, ItemColumn c) {
  return c == ItemColumn::metadata && !row.metadata_json;
}

void append_value(std::string& out, const store::ItemRecord& row, ItemColumn c) {
  switch (c) {
    case ItemColumn::id: core::append_json_string(out, row.id.str()); return;
    case ItemColumn::user_id: core::append_json_string(out, row.user_id.str()); return;
    case ItemColumn::title: core::append_json_string(out, row.title); return;
    case ItemColumn::content: core::append_json_string(out, row.content); return;
    case ItemColumn::metadata:
      if (row.metadata_json) {
        append_metadata(out, *row.metadata_json);
      } else {
        out += "null";
      }
      return;
    case ItemColumn::created_at: core::append_json_string(out, format_timestamp(row.created_at)); return;
    case ItemColumn::updated_at: core::append_json_string(out, format_timestamp(row.updated_at)); return;
  }
}

}  // namespace

void append_row_json(std::string& out, const store::ItemRecord& row,
                     const std::vector<SelectItem>& select, bool strip_nulls) {
  out.push_back('{');
  bool first = true;
  for (const auto& item : select) {
    if (strip_nulls && is_null(row, item.column)) continue;
    if (!first) out.push_back(',');
    first = false;
    core::append_json_string(out, item.key);
    out.push_back(':');
    append_value(out, row, item.column);
  }
  out.push_back('}');
}

Error not_single_row(size_t rows) {
  return Error::make(ErrorCode::not_single_row, "Cannot coerce the result to a single JSON object")
      .with_details("The result contains " + std::to_string(rows) + " rows");
}

Result<std::string> render_rows(const std::vector<store::ItemRecord>& rows,
                                const std::vector<SelectItem>& select, const MediaChoice& media) {
  std::string out;
  if (media.single) {
    if (rows.size() != 1) return fail(not_single_row(rows.size()));
    append_row_json(out, rows.front(), select, media.strip_nulls);
    return out;
  }
  out.push_back('[');
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_row_json(out, rows[i], select, media.strip_nulls);
  }
  out.push_back(']');
  return out;
}

std::string content_range(int64_t offset, size_t rows, std::optional<int64_t> total) {
  std::string out =
      rows == 0 ? "*" : std::to_string(offset) + "-" + std::to_string(offset + int64_t(rows) - 1);
  out += '/';
  out += total ? std::to_string(*total) : "*";
  return out;
}

Result<int> read_status(int64_t offset, size_t rows, std::optional<int64_t> total) {
  if (!total) return 200;
  // PostgREST's rangeStatus: lower > total is 416; fewer rows than the total is 206.
  if (offset > *total) {
    return fail(Error::make(ErrorCode::range_not_satisfiable, "Requested range not satisfiable")
                    .with_details("An offset of " + std::to_string(offset) +
                                  " was requested, but there are only " + std::to_string(*total) +
                                  " rows."));
  }
  return int64_t(rows) < *total ? 206 : 200;
}

}  // namespace latchkey::api::rest
