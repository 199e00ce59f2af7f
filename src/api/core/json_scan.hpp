#pragma once
// Checks every surface makes on JSON bodies, whatever its error shape: nesting depth before
// parsing (nlohmann's parser and dump() recurse) and U+0000 after (PostgreSQL's text and
// jsonb cannot hold it, issue 8). Pure: no HTTP, so the PostgREST query layer and the fuzz
// targets link it without the server.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace latchkey::api {

// Deeper bodies are refused before parsing: nlohmann's parser recurses, and a 1 MiB body of
// '[' would otherwise exhaust the stack.
inline constexpr int kMaxJsonDepth = 64;

// Offset of the first byte past `max_depth` nesting, ignoring brackets inside strings;
// nullopt if the text nests no deeper.
std::optional<size_t> json_too_deep_at(std::string_view text, int max_depth = kMaxJsonDepth);

// A place inside a JSON value: object keys and array indexes from the outside in.
using JsonPath = std::vector<std::variant<std::string, int64_t>>;

// Appends to `loc` the path of the first key or string holding U+0000 inside `v`; false if
// there is none (and `loc` is then as it was).
bool find_json_nul(const nlohmann::json& v, JsonPath& loc);

}  // namespace latchkey::api
