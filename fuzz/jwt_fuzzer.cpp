// Access-token verification against a key ring: the HS256 project key plus an ES256 and an
// RS256 key (RFC 7515's example keys: fixed, so every finding replays). The first input byte
// picks how the rest is used:
//   0: the whole token as a client would send it (mostly stops at the signature check);
//   1: the payload segment, signed with the project key under the kid-less header of older
//      tokens, so the claims parser and the claim checks see arbitrary bytes;
//   2: header and payload (split at the first '\n'), HMAC-signed with the project secret, to
//      reach the header checks: kid lookup, alg against the key's, crit, typ;
//   3: the same, signed with the ES256 key (the kid path to an asymmetric key).
// Accepted tokens must carry sane claims and survive a sign/verify round trip unchanged; the
// codec signs with the ES256 key from kEsSignsFrom, with the project key before.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/uuid.hpp"
#include "crypto/base64url.hpp"
#include "crypto/jwt.hpp"
#include "crypto/signing_key.hpp"
#include "fuzz_check.hpp"

namespace {

using latchkey::crypto::base64url_encode;
using latchkey::crypto::SigningKey;

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789";
constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kEsSignsFrom = kNow - 3600;

// RFC 7515 A.3.1 and A.2.1, with a kid and alg.
constexpr std::string_view kEsJwk = R"({"kty":"EC","crv":"P-256","kid":"es-fuzz","alg":"ES256",
  "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
  "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})";
constexpr std::string_view kRsJwk = R"({"kty":"RSA","kid":"rs-fuzz","alg":"RS256","e":"AQAB",
  "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
  "d":"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
  "p":"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
  "q":"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
  "dp":"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
  "dq":"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
  "qi":"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"})";

std::shared_ptr<const SigningKey> fixed_key(std::string_view jwk) {
  auto key = SigningKey::from_private_jwk(nlohmann::json::parse(jwk));
  LATCHKEY_FUZZ_CHECK(key.has_value());
  return *key;
}

const SigningKey& es_key() {
  static const auto k = fixed_key(kEsJwk);
  return *k;
}

const latchkey::crypto::JwtCodec& codec() {
  static latchkey::crypto::JwtCodec c{std::string(kSecret), latchkey::crypto::JwtPolicy{}};
  [[maybe_unused]] static const bool keyed = [] {
    c.set_keys({{fixed_key(kEsJwk), fixed_key(kRsJwk)}, {{kEsSignsFrom, es_key().kid()}}});
    return true;
  }();
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
  switch (data[0] % 4) {
    case 0:
      token.assign(rest);
      break;
    case 1:
      token = signed_token(R"({"alg":"HS256","typ":"JWT"})", rest);
      break;
    default: {
      const size_t nl = rest.find('\n');
      if (nl == std::string_view::npos) return 0;
      if (data[0] % 4 == 2) {
        token = signed_token(rest.substr(0, nl), rest.substr(nl + 1));
      } else {
        token = base64url_encode(rest.substr(0, nl)) + "." + base64url_encode(rest.substr(nl + 1));
        token += "." + base64url_encode(es_key().sign(token));
      }
      break;
    }
  }
  const auto claims = codec().verify(token, kNow);
  if (claims) check_accepted(*claims);
  // One token is never both: an access token names a user (sub), an API key never does.
  const auto api_key = codec().verify_api_key(token, kNow);
  if (api_key) LATCHKEY_FUZZ_CHECK(!claims);
  return 0;
}
