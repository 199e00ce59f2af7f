// JSON request bodies exactly as the handlers decode them: parse_json_body, then a FieldReader
// asking for the fields of each route (register/login, refresh, POST /data, PUT /data/{id}).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/core/request_body.hpp"
#include "core/utf8.hpp"
#include "fuzz_check.hpp"

namespace {

using latchkey::api::FieldReader;

// The limits src/api/seed/auth_routes.cpp and data_routes.cpp use.
constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;
constexpr size_t kMaxFullName = 255;
constexpr size_t kMaxTitle = 255;
constexpr size_t kMaxRefreshToken = 512;
constexpr size_t kUnbounded = SIZE_MAX;

void check_reader(const FieldReader& fields) {
  if (fields.ok()) return;
  const auto e = fields.error();
  // Every failure is reported as a field error; an empty list would be a 422 that names nothing.
  LATCHKEY_FUZZ_CHECK(!e.fields.empty());
}

void check_string(const std::optional<std::string>& s, size_t min_chars, size_t max_chars) {
  if (!s) return;
  // Strings handed to services are valid UTF-8 of an allowed length.
  const auto n = latchkey::core::utf8_length(*s);
  LATCHKEY_FUZZ_CHECK(n.has_value());
  LATCHKEY_FUZZ_CHECK(*n >= min_chars && *n <= max_chars);
}

void as_credentials(const nlohmann::json& body) {
  FieldReader fields(body);
  auto email = fields.required_email("email");
  auto password = fields.required_string("password", kMinPassword, kMaxPassword);
  auto full_name = fields.optional_string("full_name", 0, kMaxFullName);
  if (email) LATCHKEY_FUZZ_CHECK(latchkey::api::is_valid_email(*email));
  check_string(password, kMinPassword, kMaxPassword);
  check_string(full_name, 0, kMaxFullName);
  check_reader(fields);
}

void as_refresh(const nlohmann::json& body) {
  FieldReader fields(body);
  check_string(fields.required_string("refresh_token", 1, kMaxRefreshToken), 1, kMaxRefreshToken);
  check_reader(fields);
}

void as_item(const nlohmann::json& body, bool patch) {
  FieldReader fields(body);
  auto title = patch ? fields.optional_string("title", 1, kMaxTitle)
                     : fields.required_string("title", 1, kMaxTitle);
  auto content = patch ? fields.optional_string("content", 0, kUnbounded)
                       : fields.required_string("content", 0, kUnbounded);
  auto metadata = fields.optional_object("metadata");
  check_string(title, 1, kMaxTitle);
  check_string(content, 0, kUnbounded);
  if (metadata) {
    // Stored metadata must read back as the object it was.
    const auto again = nlohmann::json::parse(*metadata, nullptr, false);
    LATCHKEY_FUZZ_CHECK(again.is_object());
  }
  check_reader(fields);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = latchkey::api::parse_json_body(text);
  if (!body) {
    LATCHKEY_FUZZ_CHECK(!body.error().fields.empty());
    return 0;
  }
  as_credentials(*body);
  as_refresh(*body);
  as_item(*body, false);
  as_item(*body, true);
  return 0;
}
