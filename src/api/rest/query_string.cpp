#include "api/rest/query_string.hpp"

#include "core/utf8.hpp"

namespace latchkey::api::rest {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error bad_escape(std::string_view part, size_t at) {
  return Error::make(ErrorCode::query_parse_failed, "invalid percent-encoding in the query string")
      .with_details("\"" + std::string(part.substr(at, 3)) + "\" in \"" + std::string(part) +
                    "\" is not a %XX escape");
}

Result<std::string> form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] != '%') {
      out.push_back(s[i]);
    } else if (i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(char(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2])));
      i += 2;
    } else {
      return fail(bad_escape(s, i));
    }
  }
  if (out.find('\0') != std::string::npos) {
    return fail(Error::make(ErrorCode::untranslatable_character,
                            "invalid byte sequence for encoding \"UTF8\": 0x00"));
  }
  if (!core::utf8_length(out)) {
    return fail(Error::make(ErrorCode::untranslatable_character,
                            "invalid byte sequence for encoding \"UTF8\"")
                    .with_details("the query string is not valid UTF-8 once decoded"));
  }
  return out;
}

}  // namespace

Result<std::vector<QueryParam>> decode_query(std::string_view raw) {
  std::vector<QueryParam> params;
  while (!raw.empty()) {
    const size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = form_decode(pair.substr(0, eq));
    if (!key) return fail(std::move(key).error());
    QueryParam p{std::move(*key), std::nullopt};
    if (eq != std::string_view::npos) {
      auto value = form_decode(pair.substr(eq + 1));
      if (!value) return fail(std::move(value).error());
      p.value = std::move(*value);
    }
    params.push_back(std::move(p));
  }
  return params;
}

}  // namespace latchkey::api::rest
