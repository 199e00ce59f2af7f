#include "crypto/digest.hpp"

#include <sodium.h>

#include <stdexcept>

#include "crypto/base64url.hpp"
#include "crypto/init.hpp"

namespace latchkey::crypto {

std::string sha256_hex(std::string_view data) {
  unsigned char md[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(md, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string hex(2 * sizeof md, '\0');
  // sodium_bin2hex writes a trailing NUL, which std::string's own terminator slot absorbs.
  sodium_bin2hex(hex.data(), hex.size() + 1, md, sizeof md);
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Lengths are not secret here (hashes and MACs have fixed sizes); contents are.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token(size_t n_bytes) {
  if (!init()) throw std::runtime_error("libsodium could not be initialized");
  return random_token(core::system_random(), n_bytes);
}

std::string random_token(core::RandomSource& random, size_t n_bytes) {
  std::string raw(n_bytes, '\0');
  random.fill(reinterpret_cast<uint8_t*>(raw.data()), raw.size());
  std::string token = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

}  // namespace latchkey::crypto
