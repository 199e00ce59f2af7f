#pragma once
#include <string>
#include <string_view>

namespace latchkey::core {

// Appends `s` as a JSON string literal. `s` must be valid UTF-8 (callers validate input);
// quotes, backslashes and control characters are escaped, everything else is copied.
void append_json_string(std::string& out, std::string_view s);

}  // namespace latchkey::core
