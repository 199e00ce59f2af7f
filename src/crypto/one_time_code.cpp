#include "crypto/one_time_code.hpp"

#include <sodium.h>

#include <cstdint>

#include "crypto/digest.hpp"

namespace latchkey::crypto {
namespace {

std::string hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

// A uniform value below 10^6: 32-bit draws at or above the largest multiple of 10^6 are
// redrawn, so no code is likelier than another.
uint32_t uniform_code(core::RandomSource& random) {
  constexpr uint32_t kCodes = 1'000'000;
  constexpr uint32_t kLimit = UINT32_MAX - UINT32_MAX % kCodes;
  for (;;) {
    uint8_t b[4];
    random.fill(b, sizeof b);
    const uint32_t v = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 |
                       uint32_t{b[3]} << 24;
    if (v < kLimit) return v % kCodes;
  }
}

}  // namespace

OneTimeSecret new_one_time_secret(core::RandomSource& random) {
  OneTimeSecret s;
  s.link_token = random_token(random, 32);
  const uint32_t v = uniform_code(random);
  s.code = std::string(6, '0');
  uint32_t rest = v;
  for (int i = 5; i >= 0; --i) {
    s.code[static_cast<size_t>(i)] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  }
  return s;
}

std::string link_hash(std::string_view link_token) { return sha256_hex(link_token); }

CodeHasher::CodeHasher(std::string_view server_secret) {
  // Domain separation: this key is not the JWT key, though both come from one secret.
  static constexpr std::string_view kLabel = "latchkey one-time codes v1";
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(server_secret.data()),
                              server_secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(kLabel.data()),
                                kLabel.size());
  crypto_auth_hmacsha256_final(&st, key_);
  sodium_memzero(&st, sizeof st);
}

CodeHasher::~CodeHasher() { sodium_memzero(key_, sizeof key_); }

std::string CodeHasher::hash(std::string_view purpose, std::string_view email,
                             std::string_view code) const {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_, sizeof key_);
  const unsigned char nul = 0;
  for (std::string_view part : {purpose, email, code}) {
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
    crypto_auth_hmacsha256_update(&st, &nul, 1);
  }
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(&st, sizeof st);
  return hex(mac, sizeof mac);
}

}  // namespace latchkey::crypto
