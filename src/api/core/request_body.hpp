#pragma once
// Decoding and validating request bodies and query strings, with FastAPI-shaped 422 errors.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/core/json_scan.hpp"
#include "core/error.hpp"

namespace latchkey::api {

// invalid_input (loc ["body", byte offset], type json_invalid) for malformed JSON, invalid
// UTF-8 or nesting beyond kMaxJsonDepth; an empty body is a missing body.
Result<nlohmann::json> parse_json_body(std::string_view body);

// The seed contract's email rule: one '@', a dot-atom local part, a dotted domain of
// letter/digit/hyphen labels, at most 254 characters in all.
bool is_valid_email(std::string_view email);

// Whether any key or string inside `v` holds U+0000 (which no backend stores, issue 8).
bool json_has_nul(const nlohmann::json& v);

// Reads fields of a JSON object body, collecting every failure (as FastAPI reports them all).
class FieldReader {
 public:
  // Records a model_attributes_type error if `body` is not an object.
  explicit FieldReader(const nlohmann::json& body);

  // Strings are refused if they contain U+0000 (type string_contains_nul): PostgreSQL's text
  // and jsonb cannot hold it, and one rule for every backend beats a write that stores
  // something else than was sent (issue 8).
  //
  // A string of min..max code points; a missing field is an error.
  std::optional<std::string> required_string(const char* name, size_t min_chars, size_t max_chars);
  // Absent or null -> nullopt without error.
  std::optional<std::string> optional_string(const char* name, size_t min_chars, size_t max_chars);
  std::optional<std::string> required_email(const char* name);
  // A JSON object, serialized; absent or null -> nullopt. Arrays and scalars are errors, and
  // so is U+0000 in any key or string inside it (loc names the first such place).
  std::optional<std::string> optional_object(const char* name);

  bool ok() const { return errors_.empty(); }
  // invalid_input carrying every field error.
  Error error() const;

 private:
  const nlohmann::json* field(const char* name) const;
  std::optional<std::string> check_string(const char* name, const nlohmann::json& v,
                                          size_t min_chars, size_t max_chars);
  void add(const char* name, std::string msg, std::string type);
  void add(std::vector<std::variant<std::string, int64_t>> loc, std::string msg, std::string type);

  const nlohmann::json& body_;
  bool is_object_;
  std::vector<FieldError> errors_;
};

// Last value of `key` in a query string, percent-decoded ('+' is a space); nullopt if absent.
std::optional<std::string> query_param(std::string_view query, std::string_view key);

// An integer query parameter within [min, max]; `fallback` when absent.
Result<int> int_query_param(std::string_view query, const char* key, int fallback, int min,
                            int max);

}  // namespace latchkey::api
