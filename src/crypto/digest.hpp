#pragma once
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace latchkey::crypto {

// Lower-case hex SHA-256; refresh tokens are stored only in this form.
std::string sha256_hex(std::string_view data);
// Constant-time comparison of equal-length strings (false if lengths differ).
bool constant_time_equal(std::string_view a, std::string_view b);
// n random bytes from the OS CSPRNG, base64url-encoded.
std::string random_token(size_t n_bytes);
// The same from `random`.
std::string random_token(core::RandomSource& random, size_t n_bytes);

}  // namespace latchkey::crypto
