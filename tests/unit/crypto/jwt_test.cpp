#include "crypto/jwt.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "crypto/base64url.hpp"

namespace latchkey::crypto {
namespace {

using nlohmann::json;

const std::string kSecret = "test-secret-0123456789abcdef-0123456789";
const std::string kOtherSecret = "another-secret-0123456789abcdef-01234567";
constexpr int64_t kNow = 1'700'000'000;  // a fixed "now", like FixedClock
constexpr int64_t kLeeway = 30;
const std::string kSub = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const std::string kSession = "0b5fa1de-6d8a-4f61-9a52-5d1b1d3c6a11";
// The header of tokens issued before kids existed, which the project key still verifies.
const std::string kHs256Header = R"({"alg":"HS256","typ":"JWT"})";
const std::string kProjectKid = JwtCodec::project_kid(kSecret);
// The header sign() writes.
const std::string kProjectHeader = R"({"alg":"HS256","kid":")" + kProjectKid + R"(","typ":"JWT"})";

AccessClaims sample_claims() {
  AccessClaims c;
  c.sub = kSub;
  c.email = "alice@example.com";
  c.role = "authenticated";
  c.aud = "authenticated";
  c.iss = "latchkey";
  c.iat = kNow;
  c.exp = kNow + 3600;
  c.nbf = std::nullopt;
  c.session_id = kSession;
  return c;
}

json sample_payload() {
  return json{{"sub", kSub},
              {"email", "alice@example.com"},
              {"role", "authenticated"},
              {"aud", "authenticated"},
              {"iss", "latchkey"},
              {"iat", kNow},
              {"exp", kNow + 3600},
              {"session_id", kSession}};
}

// HMAC-SHA256 by libsodium, independent of the codec's OpenSSL path.
std::string hmac_bytes(std::string_view input, std::string_view key) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

std::string hmac_b64(std::string_view input, std::string_view key) {
  return base64url_encode(hmac_bytes(input, key));
}

// A token with arbitrary header and payload text, correctly signed with `key`: lets each test
// reach the check it is about instead of stopping at the signature.
std::string forge(std::string_view header, std::string_view payload,
                  std::string_view key = kSecret) {
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  return input + "." + hmac_b64(input, key);
}

std::string forge_payload(const std::function<void(json&)>& edit) {
  json p = sample_payload();
  edit(p);
  return forge(kHs256Header, p.dump());
}

class JwtCodecTest : public ::testing::Test {
 protected:
  JwtPolicy policy() const { return JwtPolicy{}; }
  JwtCodec codec_{kSecret, JwtPolicy{}};
};

TEST(JwtHelper, MatchesPublishedHs256Example) {
  // The jwt.io example token, so the forging helper is itself checked against a known answer.
  const std::string token =
      forge(kHs256Header, R"({"sub":"1234567890","name":"John Doe","iat":1516239022})",
            "your-256-bit-secret");
  EXPECT_EQ(token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
}

TEST_F(JwtCodecTest, SignedTokenVerifiesToSameClaims) {
  const auto claims = sample_claims();
  const auto got = codec_.verify(codec_.sign(claims), kNow);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->sub, claims.sub);
  EXPECT_EQ(got->email, claims.email);
  EXPECT_EQ(got->role, claims.role);
  EXPECT_EQ(got->aud, claims.aud);
  EXPECT_EQ(got->iss, claims.iss);
  EXPECT_EQ(got->iat, claims.iat);
  EXPECT_EQ(got->exp, claims.exp);
  EXPECT_EQ(got->nbf, std::nullopt);
  EXPECT_EQ(got->session_id, claims.session_id);
}

TEST_F(JwtCodecTest, NbfRoundTripsWhenSet) {
  auto claims = sample_claims();
  claims.nbf = kNow - 5;
  const auto got = codec_.verify(codec_.sign(claims), kNow);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->nbf, kNow - 5);
}

TEST_F(JwtCodecTest, SignProducesStandardHs256Token) {
  const std::string token = codec_.sign(sample_claims());
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  EXPECT_EQ(token.substr(0, dot1), base64url_encode(kProjectHeader));
  EXPECT_EQ(token.substr(dot2 + 1), hmac_b64(token.substr(0, dot2), kSecret));
  const auto payload = json::parse(*base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)));
  json expected = sample_payload();  // the tutorial's claims, plus Supabase Auth's
  expected.update({{"phone", ""},
                   {"app_metadata", json::object()},
                   {"user_metadata", json::object()},
                   {"aal", "aal1"},
                   {"amr", json::array()},
                   {"is_anonymous", false}});
  EXPECT_EQ(payload, expected);  // and no nbf key when unset
}

TEST_F(JwtCodecTest, SupabaseClaimsCarryTheMetadataAsObjects) {
  AccessClaims c = sample_claims();
  c.phone = "+15550100";
  c.user_metadata = R"({"theme":"dark"})";
  c.app_metadata = R"({"provider":"email","providers":["email"]})";
  c.amr.push_back({"password", kNow});
  const std::string token = codec_.sign(c);
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  const auto payload = json::parse(*base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(payload["user_metadata"], json({{"theme", "dark"}}));
  EXPECT_EQ(payload["app_metadata"]["providers"], json({"email"}));
  EXPECT_EQ(payload["amr"], json::parse(R"([{"method":"password","timestamp":1700000000}])"));
  EXPECT_EQ(payload["phone"], "+15550100");
  EXPECT_TRUE(codec_.verify(token, kNow)) << "still a valid user token";
}

TEST_F(JwtCodecTest, ApiKeysVerifyOnlyAsKeys) {
  const std::string key = codec_.sign_api_key({"anon", kNow, kNow + 60});
  auto got = codec_.verify_api_key(key, kNow);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->role, "anon");
  EXPECT_FALSE(codec_.verify(key, kNow)) << "no sub, no session: not a user token";
  EXPECT_FALSE(codec_.verify_api_key(codec_.sign(sample_claims()), kNow))
      << "a user token (it has a sub) is no key";
  auto expired = codec_.verify_api_key(key, kNow + 60 + 31);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().public_code, ErrorCode::token_expired);
  EXPECT_TRUE(codec_.verify_api_key(codec_.sign_api_key({"anon", kNow, std::nullopt}), kNow + 1e9))
      << "a key without exp does not expire";
  const JwtCodec other(std::string(40, 'z'), JwtPolicy{});
  EXPECT_FALSE(
      codec_.verify_api_key(other.sign_api_key({"service_role", kNow, std::nullopt}), kNow))
      << "signed with another secret";
}

TEST_F(JwtCodecTest, AcceptsAudienceArrayContainingOurs) {
  const auto got = codec_.verify(forge_payload([](json& p) {
                                   p["aud"] = {"other", "authenticated"};
                                 }),
                                 kNow);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->aud, "authenticated");
}

TEST_F(JwtCodecTest, AcceptsHeaderWithoutTypOrWithExtraFields) {
  const std::string payload = sample_payload().dump();
  EXPECT_TRUE(codec_.verify(forge(R"({"alg":"HS256"})", payload), kNow).has_value());
  EXPECT_TRUE(
      codec_
          .verify(forge(R"({"alg":"HS256","typ":"JWT","kid":")" + kProjectKid + R"("})", payload),
                  kNow)
          .has_value());
}

TEST_F(JwtCodecTest, IgnoresUnknownClaimsOfAnyShape) {
  const auto got = codec_.verify(
      forge_payload([](json& p) {
        p["app_metadata"] = {{"provider", "email"}, {"nested", {1, {{"sub", nullptr}}, 2.5}}};
        p["ratio"] = 0.5;
        p["flag"] = true;
        p["nothing"] = nullptr;
        p["big"] = uint64_t{1} << 63;
      }),
      kNow);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->sub, kSub);  // the nested "sub" did not override the claim
}

TEST_F(JwtCodecTest, NonAsciiEmailRoundTrips) {
  auto claims = sample_claims();
  claims.email = "\xc3\xa9lise@exa\xe2\x80\x8bmple.com";
  const auto got = codec_.verify(codec_.sign(claims), kNow);
  ASSERT_TRUE(got.has_value()) << got.error().detail;
  EXPECT_EQ(got->email, claims.email);
}

TEST_F(JwtCodecTest, LeewayBoundariesAreInclusiveOfSkew) {
  struct Case {
    const char* name;
    std::function<void(json&)> edit;
    int64_t now;
  };
  const int64_t exp = kNow + 3600;
  const Case accepted[] = {
      {"exp just within leeway", [](json&) {}, exp + kLeeway - 1},
      {"iat at the edge of leeway", [](json& p) { p["iat"] = kNow + kLeeway; }, kNow},
      {"nbf at the edge of leeway", [](json& p) { p["nbf"] = kNow + kLeeway; }, kNow},
      {"nbf in the past", [](json& p) { p["nbf"] = kNow - 100; }, kNow},
  };
  for (const auto& c : accepted) {
    const auto got = codec_.verify(forge_payload(c.edit), c.now);
    EXPECT_TRUE(got.has_value()) << c.name << ": " << got.error().detail;
  }
}

struct RejectCase {
  const char* name;
  std::function<std::string()> token;
  int64_t now;
  const char* detail;
};

std::string with_payload_of(std::string token, const std::string& payload_json) {
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  return token.replace(dot1 + 1, dot2 - dot1 - 1, base64url_encode(payload_json));
}

std::vector<RejectCase> reject_cases(const JwtCodec& codec) {
  const std::string good = codec.sign(sample_claims());
  const std::string payload = sample_payload().dump();
  const int64_t exp = kNow + 3600;
  return {
      // Signature
      {"tampered payload",
       [=] { return with_payload_of(good, R"({"sub":")" + kSub + R"(","role":"admin"})"); }, kNow,
       "bad_signature"},
      {"signed with another key", [=] { return forge(kHs256Header, payload, kOtherSecret); }, kNow,
       "bad_signature"},
      {"signature of another token",
       [=] {
         const std::string other = forge(kHs256Header, payload + " ");
         return good.substr(0, good.rfind('.')) + other.substr(other.rfind('.'));
       },
       kNow, "bad_signature"},
      {"alg none, no signature",
       [=] {
         return base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                base64url_encode(payload) + ".";
       },
       kNow, "bad_alg"},  // the header names the key, which refuses alg none before any signature
      {"signature truncated", [=] { return good.substr(0, good.size() - 4); }, kNow,
       "malformed_token"},
      {"signature padded", [=] { return good + "="; }, kNow, "malformed_token"},
      {"signature garbage base64", [=] { return good.substr(0, good.rfind('.') + 1) + "!!!!"; },
       kNow, "malformed_token"},
      // Header (correctly signed, so only the header check can refuse it)
      {"alg none", [=] { return forge(R"({"alg":"none","typ":"JWT"})", payload); }, kNow,
       "bad_alg"},
      {"alg RS256", [=] { return forge(R"({"alg":"RS256","typ":"JWT"})", payload); }, kNow,
       "bad_alg"},
      {"alg lower-case", [=] { return forge(R"({"alg":"hs256","typ":"JWT"})", payload); }, kNow,
       "bad_alg"},
      {"alg missing", [=] { return forge(R"({"typ":"JWT"})", payload); }, kNow, "bad_alg"},
      {"alg not a string", [=] { return forge(R"({"alg":["HS256"]})", payload); }, kNow, "bad_alg"},
      {"crit header", [=] { return forge(R"({"alg":"HS256","crit":["exp"],"exp":1})", payload); },
       kNow, "unsupported_crit"},
      {"typ other than JWT", [=] { return forge(R"({"alg":"HS256","typ":"at+jwt"})", payload); },
       kNow, "bad_typ"},
      {"typ not a string", [=] { return forge(R"({"alg":"HS256","typ":1})", payload); }, kNow,
       "bad_typ"},
      {"typ lower-case", [=] { return forge(R"({"alg":"HS256","typ":"jwt"})", payload); }, kNow,
       "bad_typ"},
      {"kid not a string",
       [=] { return forge(R"({"kid":{"nested":[1,2]},"alg":"HS256","x5t":null})", payload); }, kNow,
       "bad_kid"},
      {"kid of no key", [=] { return forge(R"({"alg":"HS256","typ":"JWT","kid":"k1"})", payload); },
       kNow, "unknown_kid"},
      {"kid of the project key, another alg",
       [=] { return forge(R"({"alg":"ES256","kid":")" + kProjectKid + R"("})", payload); }, kNow,
       "bad_alg"},
      {"header not an object", [=] { return forge(R"(["HS256"])", payload); }, kNow,
       "malformed_token"},
      {"header not JSON", [=] { return forge("alg=HS256", payload); }, kNow, "malformed_token"},
      {"duplicate alg in header", [=] { return forge(R"({"alg":"HS256","alg":"none"})", payload); },
       kNow, "malformed_token"},
      {"header garbage base64",
       [=] {
         const std::string input = "e!J." + base64url_encode(payload);
         return input + "." + hmac_b64(input, kSecret);
       },
       kNow, "malformed_token"},
      // Shape
      {"empty", [] { return std::string(); }, kNow, "malformed_token"},
      {"two parts", [=] { return good.substr(0, good.rfind('.')); }, kNow, "malformed_token"},
      {"four parts", [=] { return good + ".AAAA"; }, kNow, "malformed_token"},
      {"oversized", [=] { return good + std::string(12 * 1024 + 1 - good.size(), 'A'); }, kNow,
       "token_too_large"},
      // Payload
      {"payload garbage base64",
       [=] {
         const std::string input = base64url_encode(kHs256Header) + ".eyJ*";
         return input + "." + hmac_b64(input, kSecret);
       },
       kNow, "malformed_token"},
      {"payload an array", [=] { return forge(kHs256Header, "[1,2]"); }, kNow, "malformed_claims"},
      {"payload a string", [=] { return forge(kHs256Header, R"("sub")"); }, kNow,
       "malformed_claims"},
      {"payload not JSON", [=] { return forge(kHs256Header, "{sub:1}"); }, kNow,
       "malformed_claims"},
      {"duplicate sub",
       [=] {
         std::string p = payload;
         p.insert(1, R"("sub":"00000000-0000-4000-8000-000000000000",)");
         return forge(kHs256Header, p);
       },
       kNow, "malformed_claims"},
      {"duplicate unknown claim",
       [=] {
         return forge(kHs256Header, payload.substr(0, payload.size() - 1) + R"(,"x":1,"x":2})");
       },
       kNow, "malformed_claims"},
      {"exp twice",
       [=] {
         std::string p = payload;
         p.insert(1, R"("exp":99999999999,)");
         return forge(kHs256Header, p);
       },
       kNow, "malformed_claims"},
      {"payload invalid UTF-8",
       [=] {
         std::string p = payload;
         p.replace(p.find("alice@"), 5,
                   "al\xff"
                   "ce");
         return forge(kHs256Header, p);
       },
       kNow, "malformed_claims"},
      {"sub not a uuid", [] { return forge_payload([](json& p) { p["sub"] = "alice"; }); }, kNow,
       "malformed_claims"},
      {"sub not a string", [] { return forge_payload([](json& p) { p["sub"] = 42; }); }, kNow,
       "malformed_claims"},
      {"session_id not a uuid",
       [] { return forge_payload([](json& p) { p["session_id"] = "s1"; }); }, kNow,
       "malformed_claims"},
      {"session_id missing", [] { return forge_payload([](json& p) { p.erase("session_id"); }); },
       kNow, "malformed_claims"},
      {"email missing", [] { return forge_payload([](json& p) { p.erase("email"); }); }, kNow,
       "malformed_claims"},
      {"role not a string", [] { return forge_payload([](json& p) { p["role"] = nullptr; }); },
       kNow, "malformed_claims"},
      {"exp a float", [] { return forge_payload([](json& p) { p["exp"] = kNow + 3600.0; }); }, kNow,
       "malformed_claims"},
      {"exp a string", [] { return forge_payload([](json& p) { p["exp"] = "9999999999"; }); }, kNow,
       "malformed_claims"},
      {"exp beyond int64",
       [] { return forge_payload([](json& p) { p["exp"] = uint64_t{1} << 63; }); }, kNow,
       "malformed_claims"},
      {"iat missing", [] { return forge_payload([](json& p) { p.erase("iat"); }); }, kNow,
       "malformed_claims"},
      {"nbf a float", [] { return forge_payload([](json& p) { p["nbf"] = 1.5; }); }, kNow,
       "malformed_claims"},
      {"aud missing", [] { return forge_payload([](json& p) { p.erase("aud"); }); }, kNow,
       "malformed_claims"},
      {"aud a number", [] { return forge_payload([](json& p) { p["aud"] = 1; }); }, kNow,
       "malformed_claims"},
      {"aud array with a non-string",
       [] { return forge_payload([](json& p) {
              p["aud"] = json::array({"authenticated", 1});
            }); },
       kNow, "malformed_claims"},
      {"aud nested array",
       [] {
         return forge_payload(
             [](json& p) { p["aud"] = json::array({json::array({"authenticated"})}); });
       },
       kNow, "malformed_claims"},
      {"aud an object",
       [] { return forge_payload([](json& p) {
              p["aud"] = {{"authenticated", true}};
            }); }, kNow,
       "malformed_claims"},
      // Policy
      {"wrong issuer", [] { return forge_payload([](json& p) { p["iss"] = "evil"; }); }, kNow,
       "wrong_issuer"},
      {"iss missing", [] { return forge_payload([](json& p) { p.erase("iss"); }); }, kNow,
       "malformed_claims"},
      {"wrong audience", [] { return forge_payload([](json& p) { p["aud"] = "service_role"; }); },
       kNow, "wrong_audience"},
      {"audience array without ours",
       [] { return forge_payload([](json& p) {
              p["aud"] = {"a", "b"};
            }); }, kNow,
       "wrong_audience"},
      {"empty audience array",
       [] { return forge_payload([](json& p) { p["aud"] = json::array(); }); }, kNow,
       "wrong_audience"},
      // Time
      {"expired beyond leeway", [=] { return good; }, exp + kLeeway, "token_expired"},
      {"expired long ago", [=] { return good; }, exp + 86400, "token_expired"},
      {"exp far negative", [] { return forge_payload([](json& p) { p["exp"] = INT64_MIN; }); },
       kNow, "token_expired"},
      {"iat in the future",
       [] { return forge_payload([](json& p) { p["iat"] = kNow + kLeeway + 1; }); }, kNow,
       "token_issued_in_future"},
      {"nbf in the future",
       [] { return forge_payload([](json& p) { p["nbf"] = kNow + kLeeway + 1; }); }, kNow,
       "token_not_yet_valid"},
  };
}

TEST_F(JwtCodecTest, RejectsEveryInvalidToken) {
  for (const auto& c : reject_cases(codec_)) {
    const auto got = codec_.verify(c.token(), c.now);
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().code, Errc::unauthenticated) << c.name;
    EXPECT_EQ(got.error().detail, c.detail) << c.name;
    EXPECT_EQ(got.error().message, "Could not validate credentials") << c.name;
  }
}

// Every header spelling verify() accepts for the project key (see KeyRing::key_for in
// jwt.cpp): the one sign() writes and the kid-less one of older tokens, which have a fast path,
// and the ones that go through the JSON parse. typ "jwt" in lower case is refused, see
// reject_cases.
const std::vector<std::string> kAcceptedHeaders = {
    kProjectHeader,
    R"({"alg":"HS256","typ":"JWT"})",
    R"({"alg":"HS256"})",
    R"({"typ":"JWT","alg":"HS256"})",
    " { \"alg\" : \"HS256\" ,\n\t\"typ\" : \"JWT\" } ",
    R"({"alg":"HS256","typ":"JWT","kid":")" + kProjectKid + R"("})",
    R"({"kid":")" + kProjectKid + R"(","alg":"HS256","x5t":null})",
};

// header.payload of a token with the sample claims, and that token with `mac` appended.
std::string signing_input(std::string_view header) {
  return base64url_encode(header) + "." + base64url_encode(sample_payload().dump());
}
std::string token_with_mac(std::string_view header, std::string_view mac) {
  return signing_input(header) + "." + base64url_encode(mac);
}

struct WrongMac {
  std::string why;
  std::string mac;     // raw bytes, base64url-encoded into the token
  const char* detail;  // why verify() refuses it
};

// MACs that are not the MAC of `input` under kSecret, from nothing alike to one bit off.
std::vector<WrongMac> wrong_macs(std::string_view input) {
  const std::string good = hmac_bytes(input, kSecret);
  std::vector<WrongMac> out = {
      {"all zero", std::string(good.size(), '\0'), "bad_signature"},
      {"another key's", hmac_bytes(input, kOtherSecret), "bad_signature"},
      {"one byte short", good.substr(0, good.size() - 1), "malformed_token"},
      {"one byte extra", good + '\0', "malformed_token"},
      {"half of it", good.substr(0, good.size() / 2), "malformed_token"},
      {"empty", "", "malformed_token"},
  };
  // One bit of each byte in turn: a comparison that stops early or skips bytes lets some through.
  for (size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = char(flipped[i] ^ 0x01);
    out.push_back({"bit flipped in byte " + std::to_string(i), flipped, "bad_signature"});
  }
  return out;
}

TEST_F(JwtCodecTest, EveryAcceptedHeaderFormVerifiesWhenCorrectlySigned) {
  for (const std::string& header : kAcceptedHeaders) {
    const std::string mac = hmac_bytes(signing_input(header), kSecret);
    const auto got = codec_.verify(token_with_mac(header, mac), kNow);
    EXPECT_TRUE(got.has_value()) << header << ": " << got.error().detail;
  }
}

// Review issue #8: a MAC check applied only to the header sign() writes, or over half the MAC,
// passed every other test.
TEST_F(JwtCodecTest, WrongMacIsRefusedUnderEveryAcceptedHeaderForm) {
  for (const std::string& header : kAcceptedHeaders) {
    for (const WrongMac& m : wrong_macs(signing_input(header))) {
      const auto got = codec_.verify(token_with_mac(header, m.mac), kNow);
      ASSERT_FALSE(got.has_value()) << header << ", MAC " << m.why << ": accepted";
      EXPECT_EQ(got.error().code, Errc::unauthenticated) << header << ", MAC " << m.why;
      EXPECT_EQ(got.error().detail, m.detail) << header << ", MAC " << m.why;
    }
  }
}

TEST(JwtCodec, MaxTokenBytesComesFromPolicy) {
  JwtCodec small(kSecret, JwtPolicy{.max_token_bytes = 100});
  const auto got = small.verify(small.sign(sample_claims()), kNow);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().detail, "token_too_large");
}

TEST(JwtCodec, IssuerAndAudienceComeFromPolicy) {
  JwtCodec other(kSecret, JwtPolicy{.issuer = "other-iss", .audience = "other-aud"});
  auto claims = sample_claims();
  claims.iss = "other-iss";
  claims.aud = "other-aud";
  EXPECT_TRUE(other.verify(other.sign(claims), kNow).has_value());
  EXPECT_EQ(other.verify(other.sign(sample_claims()), kNow).error().detail, "wrong_issuer");
}

TEST(JwtCodec, RefusesSecretsShorterThan32Bytes) {
  EXPECT_THROW(JwtCodec(std::string(31, 'k'), JwtPolicy{}), std::invalid_argument);
  EXPECT_THROW(JwtCodec("", JwtPolicy{}), std::invalid_argument);
  EXPECT_NO_THROW(JwtCodec(std::string(32, 'k'), JwtPolicy{}));
}

// The per-thread MAC context is cached by key id, not address: a new codec built where a
// destroyed one lived must not reuse the old key. (A kid-less token, so both codecs take it
// to their project key.)
TEST(JwtCodec, NewCodecNeverReusesDestroyedCodecsKey) {
  const std::string token = forge(kHs256Header, sample_payload().dump());
  for (int i = 0; i < 4; ++i) {
    auto first = std::make_unique<JwtCodec>(kSecret, JwtPolicy{});
    ASSERT_TRUE(first->verify(token, kNow));  // caches its key's context on this thread
    first.reset();
    auto second = std::make_unique<JwtCodec>(kOtherSecret, JwtPolicy{});
    EXPECT_EQ(second->verify(token, kNow).error().detail, "bad_signature");
  }
}

TEST(JwtCodec, TwoCodecsInterleavedAcrossThreadsKeepTheirKeys) {
  const JwtCodec a(kSecret, JwtPolicy{});
  const JwtCodec b(kOtherSecret, JwtPolicy{});
  const std::string from_a = a.sign(sample_claims());
  const std::string from_b = b.sign(sample_claims());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!a.verify(from_a, kNow) || !b.verify(from_b, kNow)) ++failures;
        if (a.verify(from_b, kNow) || b.verify(from_a, kNow)) ++failures;
        if (a.sign(sample_claims()) != from_a) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace latchkey::crypto
