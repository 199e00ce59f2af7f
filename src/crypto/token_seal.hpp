#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace latchkey::crypto {

// Encrypts `secret` under a key derived from `token` (a high-entropy bearer token), so that
// only whoever holds `token` can read it back. The database stores tokens only as SHA-256
// hashes, and the key is a keyed BLAKE2b of the token, so neither a copy of the database nor
// the server secret opens a seal: it gives a token's holder nothing the token did not already
// give them. Output: base64url(nonce || XSalsa20-Poly1305 box).
std::string seal_under_token(std::string_view token, std::string_view secret,
                             core::RandomSource& random);

// The secret, or nullopt if `sealed` is malformed or was not sealed under `token`.
std::optional<std::string> open_under_token(std::string_view token, std::string_view sealed);

}  // namespace latchkey::crypto
