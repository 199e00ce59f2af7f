#include "crypto/seal.hpp"

#include <sodium.h>

#include <array>
#include <vector>

#include "crypto/base64url.hpp"

namespace latchkey::crypto {
namespace {

using Key = std::array<unsigned char, crypto_secretbox_KEYBYTES>;

// A context per purpose keeps each key unrelated to any other hash of the same material.
std::string_view context_of(SealPurpose purpose) {
  switch (purpose) {
    case SealPurpose::refresh_successor:
      return "latchkey seal: refresh successor v1";
    case SealPurpose::stored_secret:
      break;
  }
  return "latchkey seal: stored secret v1";
}

Key key_for(std::string_view material, SealPurpose purpose) {
  const std::string_view context = context_of(purpose);
  Key key{};
  crypto_generichash(key.data(), key.size(),
                     reinterpret_cast<const unsigned char*>(material.data()), material.size(),
                     reinterpret_cast<const unsigned char*>(context.data()), context.size());
  return key;
}

}  // namespace

std::string seal(std::string_view key_material, SealPurpose purpose, std::string_view plaintext,
                 core::RandomSource& random) {
  Key key = key_for(key_material, purpose);
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  random.fill(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        out.data(), key.data());
  sodium_memzero(key.data(), key.size());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

std::optional<std::string> open_sealed(std::string_view key_material, SealPurpose purpose,
                                       std::string_view sealed) {
  auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  const size_t boxed = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string secret(boxed - crypto_secretbox_MACBYTES, '\0');
  Key key = key_for(key_material, purpose);
  const int rc =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(secret.data()),
                                 bytes + crypto_secretbox_NONCEBYTES, boxed, bytes, key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0) return std::nullopt;
  return secret;
}

}  // namespace latchkey::crypto
