#pragma once
// One rule for text on every backend (issue 8): no NUL character, in plain text or as a
// \u0000 escape in JSON. PostgreSQL's text and jsonb cannot hold it (libpq would even cut a
// parameter at the NUL and store less than was sent); SQLite could, but an answered write
// must mean the same on either backend.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace latchkey::store {

// invalid_input for text that holds a NUL; `where` goes to the log detail only.
inline Error nul_in_text(std::string_view where) {
  return Error::of(Errc::invalid_input, std::string(where) + ": NUL character in text");
}

// Whether serialized JSON holds a \u0000 escape (a backslash that is itself escaped does
// not start one).
inline bool json_has_nul_escape(std::string_view json) {
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '\\') continue;
    if (json.substr(i + 1, 5) == "u0000") return true;
    ++i;  // skip the escaped character
  }
  return false;
}

// The rule for serialized JSON (metadata), if any: nul_in_text(where) if it holds a \u0000
// escape.
inline std::optional<Error> nul_in_json(const std::optional<std::string>& json,
                                        std::string_view where) {
  if (json && json_has_nul_escape(*json)) return nul_in_text(where);
  return std::nullopt;
}

}  // namespace latchkey::store
