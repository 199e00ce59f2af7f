#include "mfa/totp.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace latchkey::mfa {
namespace {

constexpr int kVerifyDigits = 6;

const char* digest_name(TotpHash hash) {
  switch (hash) {
    case TotpHash::sha1:
      return "SHA1";
    case TotpHash::sha256:
      return "SHA256";
    case TotpHash::sha512:
      return "SHA512";
  }
  throw std::invalid_argument("unknown TotpHash");
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 3986 percent-encoding. ':' and '@' are legal in both a path and a query and GoTrue
// leaves them, so emails and host:port issuers read the same as in its URIs.
void append_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (is_unreserved(c) || c == ':' || c == '@') {
      out.push_back(c);
    } else {
      const auto b = static_cast<uint8_t>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
}

}  // namespace

std::string hotp_code(std::string_view secret, uint64_t counter, int digits, TotpHash hash) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("HOTP codes have 6 to 8 digits");
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i, counter >>= 8) message[static_cast<size_t>(i)] = counter & 0xff;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t mac_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest_name(hash), nullptr, secret.data(), secret.size(),
                message.data(), message.size(), mac.data(), mac.size(), &mac_len) == nullptr ||
      mac_len < 20) {
    throw std::runtime_error("HMAC failed");
  }
  // Dynamic truncation (RFC 4226 section 5.3): 31 bits from an offset the MAC picks.
  const size_t offset = mac[mac_len - 1] & 0x0f;
  uint32_t value = (uint32_t{mac[offset]} & 0x7f) << 24 | uint32_t{mac[offset + 1]} << 16 |
                   uint32_t{mac[offset + 2]} << 8 | uint32_t{mac[offset + 3]};
  OPENSSL_cleanse(mac.data(), mac.size());
  std::string code(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value /= 10) {
    code[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  }
  return code;
}

int64_t totp_step(int64_t unix_seconds) {
  const int64_t q = unix_seconds / kTotpStepSeconds;
  return (unix_seconds % kTotpStepSeconds < 0) ? q - 1 : q;
}

std::string totp_code(std::string_view secret, int64_t unix_seconds, int digits, TotpHash hash) {
  const int64_t step = totp_step(unix_seconds);
  if (step < 0) throw std::invalid_argument("TOTP time before the Unix epoch");
  return hotp_code(secret, static_cast<uint64_t>(step), digits, hash);
}

std::optional<int64_t> totp_verify(std::string_view secret, std::string_view code,
                                   int64_t unix_seconds, int64_t last_used_step) {
  if (code.size() != kVerifyDigits) return std::nullopt;
  for (const char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const int64_t now = totp_step(unix_seconds);
  std::optional<int64_t> matched;
  // ±1 step absorbs clock drift and typing time (RFC 6238 section 5.2's recommended window).
  // Every candidate is computed and compared, so timing does not tell which one matched.
  for (int64_t step = now - 1; step <= now + 1; ++step) {
    if (step < 0) continue;
    const std::string expected =
        hotp_code(secret, static_cast<uint64_t>(step), kVerifyDigits, TotpHash::sha1);
    const bool equal = CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
    // A step at or before the last one accepted is a replay, even inside the window. The
    // latest match wins: if two steps' codes coincide, the digits cannot be used twice.
    if (equal && step > last_used_step) matched = step;
  }
  return matched;
}

std::string new_totp_secret(core::RandomSource& random) {
  std::string secret(20, '\0');
  random.fill(reinterpret_cast<uint8_t*>(secret.data()), secret.size());
  return secret;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret) {
  std::string uri = "otpauth://totp/";
  if (!issuer.empty()) {
    append_encoded(uri, issuer);
    uri.push_back(':');
  }
  append_encoded(uri, account);
  uri += "?algorithm=SHA1&digits=6";
  if (!issuer.empty()) {
    uri += "&issuer=";
    append_encoded(uri, issuer);
  }
  uri += "&period=30&secret=";
  append_encoded(uri, base32_secret);
  return uri;
}

}  // namespace latchkey::mfa
