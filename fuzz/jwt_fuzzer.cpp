// Access-token verification. The first input byte picks how the rest is used:
//   0: the whole token as a client would send it (mostly stops at the signature check);
//   1: the payload segment, signed with the real key under the header sign() writes, so the
//      claims parser and the claim checks see arbitrary bytes;
//   2: header and payload (split at the first '\n'), both signed, to reach the header checks.
// Accepted tokens must carry sane claims and survive a sign/verify round trip unchanged.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/uuid.hpp"
#include "crypto/base64url.hpp"
#include "crypto/jwt.hpp"
#include "fuzz_check.hpp"

namespace {

using latchkey::crypto::base64url_encode;

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789";
constexpr int64_t kNow = 1'700'000'000;

const latchkey::crypto::JwtCodec& codec() {
  static const latchkey::crypto::JwtCodec c{std::string(kSecret), latchkey::crypto::JwtPolicy{}};
  return c;
}

std::string signed_token(std::string_view header_json, std::string_view payload) {
  std::string token = base64url_encode(header_json);
  token += '.';
  token += base64url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &mac_len);
  token += '.';
  token += base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
  return token;
}

void check_accepted(const latchkey::crypto::AccessClaims& c) {
  const auto& policy = codec().policy();
  LATCHKEY_FUZZ_CHECK(latchkey::core::Uuid::parse(c.sub).has_value());
  LATCHKEY_FUZZ_CHECK(latchkey::core::Uuid::parse(c.session_id).has_value());
  LATCHKEY_FUZZ_CHECK(c.iss == policy.issuer);
  LATCHKEY_FUZZ_CHECK(c.aud == policy.audience);
  LATCHKEY_FUZZ_CHECK(c.exp > kNow - policy.leeway_s);
  LATCHKEY_FUZZ_CHECK(c.iat <= kNow + policy.leeway_s);
  // What was accepted re-signs to a token that verifies to the same claims: the claims parser
  // and sign() agree on escapes, numbers and UTF-8.
  const auto again = codec().verify(codec().sign(c), kNow);
  LATCHKEY_FUZZ_CHECK(again.has_value());
  LATCHKEY_FUZZ_CHECK(again->sub == c.sub && again->email == c.email && again->role == c.role &&
                      again->session_id == c.session_id && again->iat == c.iat &&
                      again->exp == c.exp && again->nbf == c.nbf);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string token;
  switch (data[0] % 3) {
    case 0:
      token.assign(rest);
      break;
    case 1:
      token = signed_token(R"({"alg":"HS256","typ":"JWT"})", rest);
      break;
    default: {
      const size_t nl = rest.find('\n');
      if (nl == std::string_view::npos) return 0;
      token = signed_token(rest.substr(0, nl), rest.substr(nl + 1));
      break;
    }
  }
  const auto claims = codec().verify(token, kNow);
  if (claims) check_accepted(*claims);
  return 0;
}
