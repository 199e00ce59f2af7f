#pragma once
#include <string>
#include <string_view>

namespace latchkey::api {

// Matches a path against a pattern of literal segments and at most one `{name}` segment,
// which matches one non-empty segment (captured into `param`). No decoding, no wildcards.
bool match_path(std::string_view pattern, std::string_view path, std::string& param);

}  // namespace latchkey::api
