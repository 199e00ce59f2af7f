#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace latchkey::crypto {

// What a sealing key is for: each purpose derives its own key from the same material.
enum class SealPurpose {
  // A refresh token's successor, sealed under the token it replaces (the reuse interval).
  refresh_successor,
  // A signing key's private part (or a TOTP secret), sealed under the server secret.
  stored_secret,
};

// Encrypts `plaintext` under a key derived from `key_material` (a high-entropy token or the
// server secret) with keyed BLAKE2b and the purpose as context, so only whoever holds the
// material can read it back. Refresh tokens are stored only as SHA-256 hashes, so a copy of
// the database does not open a successor's seal. Output: base64url(nonce || XSalsa20-Poly1305
// box).
std::string seal(std::string_view key_material, SealPurpose purpose, std::string_view plaintext,
                 core::RandomSource& random);

// The plaintext, or nullopt if `sealed` is malformed or was not sealed under this material and
// purpose.
std::optional<std::string> open_sealed(std::string_view key_material, SealPurpose purpose,
                                       std::string_view sealed);

}  // namespace latchkey::crypto
