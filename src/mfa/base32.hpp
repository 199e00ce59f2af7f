#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace latchkey::mfa {

// RFC 4648 section 6 alphabet, upper case, no padding: the form authenticator apps show and
// GoTrue hands out as a TOTP secret.
std::string base32_encode(std::string_view bytes);

// For secrets a person typed or pasted: case-insensitive, spaces anywhere and trailing '='
// padding are ignored. nullopt on any other character, '=' before the end, a length no byte
// string encodes to, or set bits below the last whole byte.
std::optional<std::string> base32_decode(std::string_view text);

}  // namespace latchkey::mfa
