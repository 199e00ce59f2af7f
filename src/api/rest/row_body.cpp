#include "api/rest/row_body.hpp"

#include <algorithm>

#include "api/core/json_scan.hpp"
#include "api/rest/literal.hpp"
#include "api/rest/resolve.hpp"
#include "core/utf8.hpp"

namespace latchkey::api::rest {
namespace {

using store::ColumnType;
using store::ItemColumn;
using Columns = std::optional<std::vector<ItemColumn>>;

constexpr size_t kMaxTitleChars = 255;  // varchar(255)

Error invalid_body(std::string details = {}) {
  return Error::make(ErrorCode::invalid_body, "Empty or invalid json")
      .with_details(std::move(details));
}

// Parses and checks what every body must be before its shape matters.
Result<nlohmann::json> parse_body_json(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail(invalid_body());
  if (json_too_deep_at(body)) {
    return fail(invalid_body("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels"));
  }
  // Invalid UTF-8 and numbers beyond double range are parse failures here, not exceptions.
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(invalid_body());
  JsonPath loc;
  if (find_json_nul(doc, loc)) return fail(nul_in_json_value());
  return doc;
}

bool in_columns(const Columns& columns, ItemColumn c) {
  return !columns || std::find(columns->begin(), columns->end(), c) != columns->end();
}

// The columns an object's keys name, in table order: PGRST204 for a key that is no column,
// unless `columns` is given (it then only picks).
Result<std::vector<ItemColumn>> object_columns(const nlohmann::json& obj, const Columns& columns) {
  std::vector<ItemColumn> out;
  for (const auto& [key, value] : obj.items()) {
    const auto c = store::item_column(key);
    if (columns) {
      if (c && in_columns(columns, *c)) out.push_back(*c);
      continue;
    }
    if (!c) return fail(unknown_body_column(key));
    out.push_back(*c);
  }
  return out;
}

Error text_expected(ItemColumn c, const nlohmann::json& v) {
  return Error::make(ErrorCode::invalid_text_representation,
                     "a JSON string is required for column \"" + std::string(store::column_name(c)) +
                         "\"")
      .with_details(std::string("got a JSON ") + v.type_name());
}

Result<std::optional<store::Literal>> text_value(ItemColumn c, const nlohmann::json& v) {
  if (!v.is_string()) return fail(text_expected(c, v));
  const auto& s = v.get_ref<const std::string&>();
  // nlohmann has already refused invalid UTF-8, so the count is defined.
  if (c == ItemColumn::title && core::utf8_length(s).value_or(0) > kMaxTitleChars) {
    return fail(Error::make(ErrorCode::value_too_long,
                            "value too long for type character varying(255)"));
  }
  return std::optional<store::Literal>(s);
}

Result<std::vector<store::ItemValues>> rows_from(const std::vector<const nlohmann::json*>& objects,
                                                 const std::vector<ItemColumn>& carried,
                                                 bool missing_default) {
  std::vector<store::ItemValues> rows;
  rows.reserve(objects.size());
  for (const auto* obj : objects) {
    store::ItemValues row;
    for (ItemColumn c : carried) {
      const auto it = obj->find(std::string(store::column_name(c)));
      if (it == obj->end()) {
        if (!missing_default) row[c] = std::nullopt;
        continue;
      }
      auto value = json_value_for(c, *it);
      if (!value) return fail(std::move(value).error());
      row[c] = std::move(*value);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<std::optional<store::Literal>> json_value_for(ItemColumn c, const nlohmann::json& v) {
  using Value = std::optional<store::Literal>;
  if (v.is_null()) return Value();
  switch (store::column_type(c)) {
    case ColumnType::text: return text_value(c, v);
    case ColumnType::uuid: {
      const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
      const auto u = v.is_string() ? core::Uuid::parse(text) : std::nullopt;
      if (!u) return fail(invalid_uuid(text));
      return Value(*u);
    }
    case ColumnType::timestamp: {
      const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
      const auto t = v.is_string() ? parse_timestamp(text) : std::nullopt;
      if (!t) return fail(invalid_timestamp(text));
      return Value(*t);
    }
    case ColumnType::jsonb:
      if (!v.is_object()) {
        return fail(Error::make(ErrorCode::check_violation, "")
                        .with_details("metadata must be a JSON object or null"));
      }
      return Value(canonical_json(v));
  }
  return Value();
}

Result<std::vector<store::ItemValues>> parse_insert_body(std::string_view body,
                                                         const Columns& columns,
                                                         bool missing_default) {
  auto doc = parse_body_json(body);
  if (!doc) return fail(std::move(doc).error());
  std::vector<const nlohmann::json*> objects;
  if (doc->is_object()) {
    objects.push_back(&*doc);
  } else if (doc->is_array()) {
    for (const auto& element : *doc) {
      if (!element.is_object()) return fail(invalid_body("every element of the array must be an object"));
      objects.push_back(&element);
    }
  } else {
    return fail(invalid_body("the body must be a JSON object or an array of objects"));
  }
  // Every key is checked before any value, as PostgREST checks the schema cache before
  // PostgreSQL converts values.
  std::vector<ItemColumn> carried = columns.value_or(std::vector<ItemColumn>{});
  for (const auto* obj : objects) {
    auto present = object_columns(*obj, columns);
    if (!present) return fail(std::move(present).error());
    if (columns) continue;
    for (ItemColumn c : *present) {
      if (std::find(carried.begin(), carried.end(), c) == carried.end()) carried.push_back(c);
    }
  }
  return rows_from(objects, carried, missing_default);
}

Result<store::ItemValues> parse_update_body(std::string_view body, const Columns& columns) {
  auto doc = parse_body_json(body);
  if (!doc) return fail(std::move(doc).error());
  if (!doc->is_object()) return fail(invalid_body("the body must be a JSON object"));
  auto present = object_columns(*doc, columns);
  if (!present) return fail(std::move(present).error());
  auto rows = rows_from({&*doc}, *present, /*missing_default=*/true);
  if (!rows) return fail(std::move(rows).error());
  return std::move(rows->front());
}

}  // namespace latchkey::api::rest
