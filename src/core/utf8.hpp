#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

namespace latchkey::core {

// Number of code points in valid UTF-8 (what Python's len() counts); nullopt if malformed.
std::optional<size_t> utf8_length(std::string_view s);

}  // namespace latchkey::core
