// JwtCodec as a key ring: the project key plus ES256/RS256/HS256 keys, the signer schedule,
// kid selection, algorithm confusion, and set_keys under concurrent use.
#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "crypto/base64url.hpp"
#include "crypto/jwt.hpp"
#include "jwk_test_keys.hpp"

namespace latchkey::crypto {
namespace {

using nlohmann::json;

const std::string kSecret = "test-secret-0123456789abcdef-0123456789";
constexpr int64_t kNow = 1'700'000'000;

AccessClaims claims_at(int64_t iat) {
  AccessClaims c;
  c.sub = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  c.email = "alice@example.com";
  c.role = "authenticated";
  c.aud = "authenticated";
  c.iss = "latchkey";
  c.iat = iat;
  c.exp = iat + 3600;
  c.session_id = "0b5fa1de-6d8a-4f61-9a52-5d1b1d3c6a11";
  return c;
}

std::string payload_json() {
  return json{{"sub", "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
              {"email", "alice@example.com"},
              {"role", "authenticated"},
              {"aud", "authenticated"},
              {"iss", "latchkey"},
              {"iat", kNow},
              {"exp", kNow + 3600},
              {"session_id", "0b5fa1de-6d8a-4f61-9a52-5d1b1d3c6a11"}}
      .dump();
}

// HMAC-SHA256 by libsodium, independent of the codec's OpenSSL path; any key length.
std::string hmac(std::string_view input, std::string_view key) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

std::string hs256_token(std::string_view header, std::string_view payload, std::string_view key) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  return input + "." + base64url_encode(hmac(input, key));
}

// A token with `header` signed by `key` itself (any algorithm).
std::string signed_by(const SigningKey& key, std::string_view header, std::string_view payload) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  return input + "." + base64url_encode(key.sign(input));
}

json header_of(const std::string& token) {
  return json::parse(*base64url_decode(token.substr(0, token.find('.'))));
}

std::string detail_of(const Result<AccessClaims>& r) { return r ? "accepted" : r.error().detail; }

class JwtKeyRing : public ::testing::Test {
 protected:
  JwtKeyRing() { codec_.set_keys({{es_, rs_}, {}}); }

  // Generated once: RSA key generation takes ~100 ms.
  static std::shared_ptr<const SigningKey> shared_key(JwsAlgorithm alg) {
    static const auto es = SigningKey::generate(JwsAlgorithm::es256, "es-1");
    static const auto rs = SigningKey::generate(JwsAlgorithm::rs256, "rs-1");
    return alg == JwsAlgorithm::es256 ? es : rs;
  }

  const std::shared_ptr<const SigningKey> es_ = shared_key(JwsAlgorithm::es256);
  const std::shared_ptr<const SigningKey> rs_ = shared_key(JwsAlgorithm::rs256);
  JwtCodec codec_{kSecret, JwtPolicy{}};
};

TEST_F(JwtKeyRing, AsymmetricTokensRoundTripAndNameTheirKey) {
  for (const auto& key : {es_, rs_}) {
    SCOPED_TRACE(key->kid());
    codec_.set_keys({{es_, rs_}, {{kNow - 10, key->kid()}}});
    const std::string token = codec_.sign(claims_at(kNow));
    EXPECT_EQ(
        header_of(token),
        json({{"alg", algorithm_name(key->algorithm())}, {"kid", key->kid()}, {"typ", "JWT"}}));
    const auto got = codec_.verify(token, kNow);
    ASSERT_TRUE(got) << got.error().detail;
    EXPECT_EQ(got->sub, claims_at(kNow).sub);
    EXPECT_EQ(got->session_id, claims_at(kNow).session_id);
  }
}

TEST_F(JwtKeyRing, TamperedAsymmetricTokensAreRefused) {
  for (const auto& key : {es_, rs_}) {
    SCOPED_TRACE(key->kid());
    codec_.set_keys({{es_, rs_}, {{0, key->kid()}}});
    const std::string token = codec_.sign(claims_at(kNow));
    const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
    const std::string sig = *base64url_decode(token.substr(dot2 + 1));
    const std::string input = token.substr(0, dot2);
    std::string flipped = sig;
    flipped[sig.size() / 2] = char(flipped[sig.size() / 2] ^ 4);
    EXPECT_EQ(detail_of(codec_.verify(input + "." + base64url_encode(flipped), kNow)),
              "bad_signature");
    const std::string other_payload = token.substr(0, dot1 + 1) +
                                      base64url_encode(R"({"sub":"x","role":"service_role"})") +
                                      token.substr(dot2);
    EXPECT_EQ(detail_of(codec_.verify(other_payload, kNow)), "bad_signature");
    EXPECT_EQ(detail_of(codec_.verify(input + "." + base64url_encode(sig.substr(1)), kNow)),
              "malformed_token");
    EXPECT_EQ(detail_of(codec_.verify(input + "." + base64url_encode(sig + 'x'), kNow)),
              "malformed_token");
    EXPECT_EQ(detail_of(codec_.verify(input + ".", kNow)), "malformed_token");
  }
}

TEST_F(JwtKeyRing, KidSelectsTheKey) {
  const auto es2 = SigningKey::generate(JwsAlgorithm::es256, "es-2");
  codec_.set_keys({{es_, es2, rs_}, {}});
  const std::string header2 = R"({"alg":"ES256","kid":"es-2","typ":"JWT"})";
  EXPECT_TRUE(codec_.verify(signed_by(*es2, header2, payload_json()), kNow));
  EXPECT_EQ(detail_of(codec_.verify(signed_by(*es_, header2, payload_json()), kNow)),
            "bad_signature")
      << "es-1's signature under a header naming es-2";
  // The same through the parsed-header path (not a header sign() writes).
  EXPECT_TRUE(
      codec_.verify(signed_by(*es2, R"({"kid":"es-2","alg":"ES256"})", payload_json()), kNow));
  // A key elsewhere with a kid of ours is still another key.
  const auto impostor = SigningKey::generate(JwsAlgorithm::es256, "es-1");
  EXPECT_EQ(detail_of(codec_.verify(
                signed_by(*impostor, R"({"alg":"ES256","kid":"es-1","typ":"JWT"})", payload_json()),
                kNow)),
            "bad_signature");
}

TEST_F(JwtKeyRing, UnknownKidIsRefused) {
  const auto stranger = SigningKey::generate(JwsAlgorithm::es256, "es-9");
  EXPECT_EQ(detail_of(codec_.verify(
                signed_by(*stranger, R"({"alg":"ES256","kid":"es-9","typ":"JWT"})", payload_json()),
                kNow)),
            "unknown_kid");
  EXPECT_EQ(detail_of(codec_.verify(
                hs256_token(R"({"alg":"HS256","kid":""})", payload_json(), kSecret), kNow)),
            "unknown_kid");
}

TEST_F(JwtKeyRing, KidLessLegacyTokensVerifyWithTheProjectKey) {
  // Built by hand as the codec wrote them before kids existed.
  const std::string legacy = hs256_token(R"({"alg":"HS256","typ":"JWT"})", payload_json(), kSecret);
  ASSERT_TRUE(codec_.verify(legacy, kNow)) << detail_of(codec_.verify(legacy, kNow));
  const std::string legacy_key = hs256_token(
      R"({"alg":"HS256","typ":"JWT"})", R"({"iss":"latchkey","role":"anon","iat":1})", kSecret);
  const auto key = codec_.verify_api_key(legacy_key, kNow);
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->role, "anon");
  EXPECT_EQ(detail_of(codec_.verify(
                hs256_token(R"({"alg":"HS256","typ":"JWT"})", payload_json(), std::string(40, 'x')),
                kNow)),
            "bad_signature");
}

// The classic attack on verifiers that take the algorithm from the header: HMAC with the
// public key (which anyone can read from the JWKS) as the secret.
TEST_F(JwtKeyRing, AlgorithmConfusionWithAPublicKeyAsHmacSecretIsRefused) {
  for (const auto& key : {es_, rs_}) {
    const test::PublicForms forms = test::public_forms(*key);
    const std::string jwk = key->public_jwk()->dump();
    for (const std::string& secret : {forms.pem, forms.der, jwk}) {
      for (const std::string& header :
           {R"({"alg":"HS256","kid":")" + key->kid() + R"(","typ":"JWT"})",
            R"({"alg":"HS256","kid":")" + key->kid() + R"("})"}) {
        EXPECT_EQ(detail_of(codec_.verify(hs256_token(header, payload_json(), secret), kNow)),
                  "bad_alg")
            << key->kid() << " " << header;
      }
    }
    // Nor does a header without kid reach the key: that names the (HS256) project key.
    const std::string kidless =
        std::string(R"({"alg":")") + std::string(algorithm_name(key->algorithm())) + R"("})";
    EXPECT_EQ(detail_of(codec_.verify(signed_by(*key, kidless, payload_json()), kNow)), "bad_alg");
  }
  // And an asymmetric alg under the project kid is refused, whatever it is signed with.
  EXPECT_EQ(detail_of(codec_.verify(
                signed_by(*es_, R"({"alg":"ES256","kid":")" + codec_.project_kid() + R"("})",
                          payload_json()),
                kNow)),
            "bad_alg");
}

TEST_F(JwtKeyRing, AlgNoneIsRefused) {
  const std::string payload = base64url_encode(payload_json());
  for (const std::string& header :
       {std::string(R"({"alg":"none"})"), std::string(R"({"alg":"none","typ":"JWT"})"),
        std::string(R"({"alg":"none","kid":"es-1"})"),
        std::string(R"({"alg":"none","kid":"rs-1"})"),
        R"({"alg":"none","kid":")" + codec_.project_kid() + R"("})"}) {
    for (const std::string sig : {"", "AAAA"}) {
      EXPECT_EQ(
          detail_of(codec_.verify(base64url_encode(header) + "." + payload + "." + sig, kNow)),
          "bad_alg")
          << header << " sig '" << sig << "'";
    }
  }
}

TEST_F(JwtKeyRing, SignerScheduleFollowsSignsFrom) {
  const auto hs = SigningKey::generate(JwsAlgorithm::hs256, "hs-1");
  codec_.set_keys({{es_, rs_, hs}, {{kNow + 100, "es-1"}, {kNow + 200, "rs-1"}}});
  const auto kid_at = [&](int64_t t) {
    return header_of(codec_.sign(claims_at(t)))["kid"].get<std::string>();
  };
  EXPECT_EQ(kid_at(kNow), codec_.project_kid()) << "es-1 signs from the future: not yet";
  EXPECT_EQ(kid_at(kNow + 99), codec_.project_kid());
  EXPECT_EQ(kid_at(kNow + 100), "es-1");
  EXPECT_EQ(kid_at(kNow + 199), "es-1");
  EXPECT_EQ(kid_at(kNow + 200), "rs-1");
  EXPECT_EQ(kid_at(kNow + 1'000'000), "rs-1");

  // Listed in any order; of equal times, the later listed wins; the project key may return.
  codec_.set_keys(
      {{es_, rs_, hs},
       {{kNow + 300, codec_.project_kid()}, {kNow, "es-1"}, {kNow, "hs-1"}, {kNow + 200, "rs-1"}}});
  EXPECT_EQ(kid_at(kNow - 1), codec_.project_kid());
  EXPECT_EQ(kid_at(kNow), "hs-1");
  EXPECT_EQ(kid_at(kNow + 250), "rs-1");
  EXPECT_EQ(kid_at(kNow + 300), codec_.project_kid());
  for (int64_t t : {kNow, kNow + 250}) {
    const auto got = codec_.verify(codec_.sign(claims_at(t)), t);
    EXPECT_TRUE(got) << t << ": " << detail_of(got);
  }
}

TEST_F(JwtKeyRing, ApiKeysAlwaysUseTheProjectKey) {
  codec_.set_keys({{es_, rs_}, {{0, "es-1"}}});
  const std::string key = codec_.sign_api_key({"service_role", kNow, std::nullopt});
  EXPECT_EQ(header_of(key),
            json({{"alg", "HS256"}, {"kid", codec_.project_kid()}, {"typ", "JWT"}}));
  codec_.set_keys({});
  const auto got = codec_.verify_api_key(key, kNow);
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->role, "service_role");
}

TEST_F(JwtKeyRing, RemovedKeysTokensFailAsUnknownKid) {
  codec_.set_keys({{es_, rs_}, {{0, "rs-1"}}});
  const std::string token = codec_.sign(claims_at(kNow));
  ASSERT_TRUE(codec_.verify(token, kNow));
  codec_.set_keys({{es_}, {}});
  EXPECT_EQ(detail_of(codec_.verify(token, kNow)), "unknown_kid");
  EXPECT_EQ(header_of(codec_.sign(claims_at(kNow)))["kid"], codec_.project_kid())
      << "with no signer listed, the project key signs";
  codec_.set_keys({{es_, rs_}, {}});
  EXPECT_TRUE(codec_.verify(token, kNow)) << "back in the set, verifies again";
}

TEST_F(JwtKeyRing, SetKeysRefusesInconsistentSetsAndKeepsTheCurrentOne) {
  const auto project_twin = SigningKey::generate(JwsAlgorithm::es256, codec_.project_kid());
  const auto es_twin = SigningKey::generate(JwsAlgorithm::rs256, "es-1");
  const KeySet bad[] = {
      {{es_, nullptr}, {}}, {{es_, es_}, {}},       {{es_, es_twin}, {}},
      {{project_twin}, {}}, {{es_}, {{0, "rs-1"}}}, {{es_}, {{0, "nobody"}}},
  };
  codec_.set_keys({{es_, rs_}, {{0, "rs-1"}}});
  for (const KeySet& set : bad) EXPECT_THROW(codec_.set_keys(set), std::invalid_argument);
  EXPECT_EQ(header_of(codec_.sign(claims_at(kNow)))["kid"], "rs-1");
}

TEST_F(JwtKeyRing, JwksPublishesOnlyTheAsymmetricPublicKeys) {
  const auto hs = SigningKey::generate(JwsAlgorithm::hs256, "hs-1");
  codec_.set_keys({{hs, es_, rs_}, {}});
  const json jwks = json::parse(codec_.jwks());
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][0], *es_->public_jwk());
  EXPECT_EQ(jwks["keys"][1], *rs_->public_jwk());
  for (const json& k : jwks["keys"])
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"})
      EXPECT_FALSE(k.contains(member));
  codec_.set_keys({});
  EXPECT_EQ(codec_.jwks(), R"({"keys":[]})");
  const JwtCodec fresh(kSecret, JwtPolicy{});
  EXPECT_EQ(fresh.jwks(), R"({"keys":[]})") << "the project key is never published";
}

TEST(JwtProjectKid, IsDerivedFromTheSecretAlone) {
  const std::string kid = JwtCodec::project_kid(kSecret);
  EXPECT_EQ(kid.size(), 16u);
  EXPECT_EQ(kid.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(JwtCodec::project_kid(kSecret), kid);
  EXPECT_NE(JwtCodec::project_kid(kSecret + "x"), kid);
  EXPECT_EQ(kSecret.find(kid), std::string::npos);
  // Two nodes with one secret agree on the kid and on each other's tokens.
  const JwtCodec a(kSecret, JwtPolicy{}), b(kSecret, JwtPolicy{});
  EXPECT_EQ(a.project_kid(), kid);
  EXPECT_TRUE(b.verify(a.sign(claims_at(kNow)), kNow));
}

TEST(JwtKeyRingRfc, VerifiesATokenSignedByAnImportedSupabaseKey) {
  const auto key = SigningKey::from_private_jwk(test::rfc7515_ec_jwk());
  ASSERT_TRUE(key) << key.error().detail;
  JwtCodec codec(kSecret, JwtPolicy{});
  codec.set_keys({{*key}, {}});
  // As another issuer holding the same private JWK would sign it.
  const std::string token =
      signed_by(**key, R"({"alg":"ES256","kid":"rfc7515-a3","typ":"JWT"})", payload_json());
  EXPECT_TRUE(codec.verify(token, kNow)) << detail_of(codec.verify(token, kNow));
}

// Verifying threads never lock or see a half-built set while another thread swaps sets.
TEST_F(JwtKeyRing, VerifyOnManyThreadsWhileKeysChange) {
  const auto es2 = SigningKey::generate(JwsAlgorithm::es256, "es-2");
  codec_.set_keys({{es_, rs_, es2}, {{0, "es-1"}}});
  const std::string by_es = codec_.sign(claims_at(kNow));
  const std::string by_project =
      hs256_token(R"({"alg":"HS256","typ":"JWT"})", payload_json(), kSecret);
  const std::string by_es2 =
      signed_by(*es2, R"({"alg":"ES256","kid":"es-2","typ":"JWT"})", payload_json());

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, es2_seen{0}, es2_gone{0}, rounds{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        if (!codec_.verify(by_es, kNow) || !codec_.verify(by_project, kNow)) ++failures;
        const auto r = codec_.verify(by_es2, kNow);
        if (r) {
          ++es2_seen;
        } else if (r.error().detail == "unknown_kid") {
          ++es2_gone;
        } else {
          ++failures;
        }
        const std::string fresh = codec_.sign(claims_at(kNow));
        if (!codec_.verify(fresh, kNow)) ++failures;
        if (codec_.jwks().find("\"keys\"") == std::string::npos) ++failures;
        ++rounds;
      }
    });
  }
  // Until the verifying threads have run a while, and at least 300 swaps.
  for (int i = 0; i < 300 || rounds.load() < 200; ++i) {
    if (i % 2) {
      codec_.set_keys({{es_, rs_, es2}, {{0, "es-1"}}});
    } else {
      codec_.set_keys({{es_, rs_}, {{0, "rs-1"}}});
    }
    std::this_thread::yield();
  }
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(es2_seen.load() + es2_gone.load(), 0);
}

}  // namespace
}  // namespace latchkey::crypto
