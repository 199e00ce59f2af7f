#include "api/core/request_body.hpp"

#include <charconv>
#include <climits>

#include "core/utf8.hpp"

namespace latchkey::api {
namespace {

Error invalid(std::vector<FieldError> fields) {
  return Error::validation(std::move(fields), "Validation error");
}

Error json_invalid(size_t offset, std::string msg) {
  return std::move(invalid({FieldError{{std::string("body"), int64_t(offset)}, std::move(msg),
                                       "json_invalid"}}))
      .with_code(ErrorCode::bad_json, "Validation error");
}

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(char(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

constexpr const char* kNulMessage = "String should not contain the NUL character (U+0000)";
constexpr const char* kNulType = "string_contains_nul";

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

bool json_has_nul(const nlohmann::json& v) {
  std::vector<std::variant<std::string, int64_t>> loc;
  return find_json_nul(v, loc);
}

Result<nlohmann::json> parse_json_body(std::string_view body) {
  if (body.empty()) {
    return fail(invalid({FieldError{{std::string("body")}, "Field required", "missing"}}));
  }
  if (auto at = json_too_deep_at(body)) return fail(json_invalid(*at, "JSON nesting too deep"));
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann also rejects invalid UTF-8 inside strings here.
    return fail(json_invalid(e.byte > 0 ? e.byte - 1 : 0, "JSON decode error"));
  } catch (const nlohmann::json::out_of_range&) {
    // A number beyond double range (1e400) is thrown as out_of_range, not parse_error, and
    // carries no byte offset. Found by fuzz/json_body_fuzzer: it used to escape as a 500.
    return fail(json_invalid(0, "JSON decode error"));
  }
}

bool is_valid_email(std::string_view email) {
  if (email.size() > 254) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char c : local) {
    if (c != '.' && !is_atext(c)) return false;
  }
  // Domain: at least two labels of 1..63 letters/digits/hyphens, no hyphen at either end,
  // and a top-level label that is not all digits (so "1.2.3.4" is not a mail domain).
  size_t labels = 0;
  bool last_all_digits = false;
  for (size_t start = 0; start <= domain.size();) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    last_all_digits = true;
    for (const char c : label) {
      if (!is_label_char(c)) return false;
      if (c < '0' || c > '9') last_all_digits = false;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2 && !last_all_digits;
}

FieldReader::FieldReader(const nlohmann::json& body) : body_(body), is_object_(body.is_object()) {
  if (!is_object_) {
    errors_.push_back(
        FieldError{{std::string("body")},
                   "Input should be a valid dictionary or object to extract fields from",
                   "model_attributes_type"});
  }
}

const nlohmann::json* FieldReader::field(const char* name) const {
  if (!is_object_) return nullptr;
  const auto it = body_.find(name);
  return it == body_.end() ? nullptr : &*it;
}

void FieldReader::add(const char* name, std::string msg, std::string type) {
  add({std::string("body"), std::string(name)}, std::move(msg), std::move(type));
}

void FieldReader::add(std::vector<std::variant<std::string, int64_t>> loc, std::string msg,
                      std::string type) {
  errors_.push_back(FieldError{std::move(loc), std::move(msg), std::move(type)});
}

std::optional<std::string> FieldReader::check_string(const char* name, const nlohmann::json& v,
                                                     size_t min_chars, size_t max_chars) {
  if (!v.is_string()) {
    add(name, "Input should be a valid string", "string_type");
    return std::nullopt;
  }
  auto s = v.get<std::string>();
  if (has_nul(s)) {
    add(name, kNulMessage, kNulType);
    return std::nullopt;
  }
  // nlohmann has already rejected invalid UTF-8; this counts code points as Python does.
  const size_t chars = core::utf8_length(s).value_or(0);
  if (chars < min_chars) {
    add(name, "String should have at least " + plural(min_chars, "character"), "string_too_short");
    return std::nullopt;
  }
  if (chars > max_chars) {
    add(name, "String should have at most " + plural(max_chars, "character"), "string_too_long");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldReader::required_string(const char* name, size_t min_chars,
                                                        size_t max_chars) {
  if (!is_object_) return std::nullopt;
  const auto* v = field(name);
  if (!v) {
    add(name, "Field required", "missing");
    return std::nullopt;
  }
  return check_string(name, *v, min_chars, max_chars);
}

std::optional<std::string> FieldReader::optional_string(const char* name, size_t min_chars,
                                                        size_t max_chars) {
  const auto* v = field(name);
  if (!v || v->is_null()) return std::nullopt;
  return check_string(name, *v, min_chars, max_chars);
}

std::optional<std::string> FieldReader::required_email(const char* name) {
  auto s = required_string(name, 0, SIZE_MAX);
  if (!s) return std::nullopt;
  if (!is_valid_email(*s)) {
    add(name, "value is not a valid email address", "value_error");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldReader::optional_object(const char* name) {
  const auto* v = field(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_object()) {
    add(name, "Input should be a valid dictionary", "dict_type");
    return std::nullopt;
  }
  std::vector<std::variant<std::string, int64_t>> loc{std::string("body"), std::string(name)};
  if (find_json_nul(*v, loc)) {
    add(std::move(loc), kNulMessage, kNulType);
    return std::nullopt;
  }
  return v->dump();
}

Error FieldReader::error() const { return invalid(errors_); }

std::optional<std::string> query_param(std::string_view query, std::string_view key) {
  std::optional<std::string> found;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) != key) continue;
    found = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return found;
}

Result<int> int_query_param(std::string_view query, const char* key, int fallback, int min,
                            int max) {
  const auto text = query_param(query, key);
  if (!text) return fallback;
  const auto loc =
      std::vector<std::variant<std::string, int64_t>>{std::string("query"), std::string(key)};
  long long v = 0;
  // Surrounding spaces are tolerated, as Python's int() does ('+' in a query is a space).
  const char* first = text->data();
  const char* last = first + text->size();
  while (first != last && *first == ' ') ++first;
  while (first != last && last[-1] == ' ') --last;
  if (first != last && *first == '+') ++first;
  const auto [end, ec] = std::from_chars(first, last, v);
  if (ec == std::errc::result_out_of_range) v = *first == '-' ? LLONG_MIN : LLONG_MAX;
  if (first == last || end != last || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return fail(invalid(
        {FieldError{loc, "Input should be a valid integer, unable to parse string as an integer",
                    "int_parsing"}}));
  }
  if (v < min) {
    return fail(
        invalid({FieldError{loc, "Input should be greater than or equal to " + std::to_string(min),
                            "greater_than_equal"}}));
  }
  if (v > max) {
    return fail(invalid({FieldError{
        loc, "Input should be less than or equal to " + std::to_string(max), "less_than_equal"}}));
  }
  return int(v);
}

}  // namespace latchkey::api
