#include "crypto/token_seal.hpp"

#include <sodium.h>

#include <array>
#include <vector>

#include "crypto/base64url.hpp"

namespace latchkey::crypto {
namespace {

using Key = std::array<unsigned char, crypto_secretbox_KEYBYTES>;

// A context of its own keeps this key unrelated to any other hash of the token.
constexpr std::string_view kContext = "latchkey token seal v1";

Key key_for(std::string_view token) {
  Key key{};
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), reinterpret_cast<const unsigned char*>(kContext.data()),
                     kContext.size());
  return key;
}

}  // namespace

std::string seal_under_token(std::string_view token, std::string_view secret,
                             core::RandomSource& random) {
  Key key = key_for(token);
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 secret.size());
  random.fill(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                        out.data(), key.data());
  sodium_memzero(key.data(), key.size());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

std::optional<std::string> open_under_token(std::string_view token, std::string_view sealed) {
  auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  const size_t boxed = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string secret(boxed - crypto_secretbox_MACBYTES, '\0');
  Key key = key_for(token);
  const int rc =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(secret.data()),
                                 bytes + crypto_secretbox_NONCEBYTES, boxed, bytes, key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0) return std::nullopt;
  return secret;
}

}  // namespace latchkey::crypto
