#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace latchkey::crypto {

// RFC 4648 section 5 alphabet, no padding (as JWTs use it).
std::string base64url_encode(std::string_view bytes);
// nullopt on characters outside the alphabet, padding, or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace latchkey::crypto
