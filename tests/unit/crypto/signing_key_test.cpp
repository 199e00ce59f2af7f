#include "crypto/signing_key.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/base64url.hpp"
#include "jwk_test_keys.hpp"

namespace latchkey::crypto {
namespace {

using nlohmann::json;
using test::rfc7515_ec_jwk;
using test::rfc7515_rsa_jwk;

// RFC 7515 A.2 / A.3: the example JWS Protected Header and Payload (both examples share it).
const std::string kRfcPayload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
    "fQ";
const std::string kRfcEs256Jws =
    "eyJhbGciOiJFUzI1NiJ9." + kRfcPayload +
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const std::string kRfcRs256Jws =
    "eyJhbGciOiJSUzI1NiJ9." + kRfcPayload +
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
    "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L"
    "07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUi"
    "pUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// The signing input and the decoded signature of a compact JWS.
std::pair<std::string, std::string> split_jws(const std::string& jws) {
  const size_t dot = jws.rfind('.');
  return {jws.substr(0, dot), base64url_decode(jws.substr(dot + 1)).value()};
}

std::shared_ptr<const SigningKey> import(const json& jwk) {
  auto key = SigningKey::from_private_jwk(jwk);
  if (!key) ADD_FAILURE() << key.error().detail;
  return key ? *key : nullptr;
}

TEST(SigningKey, AlgorithmNamesAreExact) {
  for (auto alg : {JwsAlgorithm::hs256, JwsAlgorithm::es256, JwsAlgorithm::rs256})
    EXPECT_EQ(parse_algorithm(algorithm_name(alg)), alg);
  EXPECT_EQ(algorithm_name(JwsAlgorithm::es256), "ES256");
  for (const char* name : {"hs256", "none", "None", "ES256 ", "", "RS384", "PS256", "HS512"})
    EXPECT_EQ(parse_algorithm(name), std::nullopt) << name;
}

TEST(SigningKey, GeneratedKeysSignAndVerify) {
  struct Case {
    JwsAlgorithm alg;
    size_t signature_bytes;
  };
  for (const Case& c : {Case{JwsAlgorithm::hs256, 32}, Case{JwsAlgorithm::es256, 64},
                        Case{JwsAlgorithm::rs256, 256}}) {
    SCOPED_TRACE(std::string(algorithm_name(c.alg)));
    const auto key = SigningKey::generate(c.alg, "k1");
    EXPECT_EQ(key->kid(), "k1");
    EXPECT_EQ(key->algorithm(), c.alg);
    EXPECT_EQ(key->signature_size(), c.signature_bytes);
    const std::string sig = key->sign("header.payload");
    ASSERT_EQ(sig.size(), c.signature_bytes);
    EXPECT_TRUE(key->verify("header.payload", sig));
    EXPECT_FALSE(key->verify("header.payload2", sig)) << "other input";
    EXPECT_FALSE(key->verify("header.payload", sig.substr(1))) << "one byte short";
    EXPECT_FALSE(key->verify("header.payload", sig + '\0')) << "one byte extra";
    EXPECT_FALSE(key->verify("header.payload", "")) << "empty";
    EXPECT_FALSE(key->verify("header.payload", std::string(sig.size(), '\0'))) << "all zero";
    for (size_t i = 0; i < sig.size(); i += 7) {
      std::string flipped = sig;
      flipped[i] = char(flipped[i] ^ 0x10);
      EXPECT_FALSE(key->verify("header.payload", flipped)) << "bit flipped in byte " << i;
    }
    const auto other = SigningKey::generate(c.alg, "k1");
    EXPECT_FALSE(other->verify("header.payload", sig)) << "another key of the same kid";
  }
}

// Checked with OpenSSL directly: our r||s, re-encoded as the DER OpenSSL expects, verifies
// under the public key, and DER itself is refused (the classic ES256 interop bug).
TEST(SigningKey, Es256SignaturesAreRawRAndSNotDer) {
  const auto key = SigningKey::generate(JwsAlgorithm::es256, "k1");
  const std::string sig = key->sign("input");
  ASSERT_EQ(sig.size(), 64u);
  ECDSA_SIG* ecdsa = ECDSA_SIG_new();
  ECDSA_SIG_set0(ecdsa, BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(ecdsa, &der);
  ECDSA_SIG_free(ecdsa);
  ASSERT_GT(der_len, 0);
  const std::string der_sig(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);

  const std::string spki = test::public_forms(*key).der;
  const auto* p = reinterpret_cast<const unsigned char*>(spki.data());
  test::Pkey pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  ASSERT_TRUE(pub);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, pub.get()), 1);
  const std::string input = "input";
  EXPECT_EQ(
      EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(der_sig.data()), der_sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()),
      1);
  EVP_MD_CTX_free(md);
  EXPECT_FALSE(key->verify("input", der_sig));
}

TEST(SigningKey, VerifiesRfc7515A3Es256Example) {
  const auto key = import(rfc7515_ec_jwk());
  ASSERT_TRUE(key);
  const auto [input, sig] = split_jws(kRfcEs256Jws);
  EXPECT_TRUE(key->verify(input, sig));
  std::string tampered = sig;
  tampered[63] = char(tampered[63] ^ 1);
  EXPECT_FALSE(key->verify(input, tampered));
  EXPECT_FALSE(key->verify(input + " ", sig));
  // Our own signatures (randomized) verify too, and the public JWK is the RFC's.
  EXPECT_TRUE(key->verify(input, key->sign(input)));
  const json pub = *key->public_jwk();
  EXPECT_EQ(pub["x"], rfc7515_ec_jwk()["x"]);
  EXPECT_EQ(pub["y"], rfc7515_ec_jwk()["y"]);
}

TEST(SigningKey, VerifiesAndReproducesRfc7515A2Rs256Example) {
  const auto key = import(rfc7515_rsa_jwk());
  ASSERT_TRUE(key);
  const auto [input, sig] = split_jws(kRfcRs256Jws);
  EXPECT_TRUE(key->verify(input, sig));
  EXPECT_EQ(key->sign(input), sig) << "PKCS#1 v1.5 is deterministic";
  std::string tampered = sig;
  tampered[0] = char(tampered[0] ^ 1);
  EXPECT_FALSE(key->verify(input, tampered));
  EXPECT_EQ((*key->public_jwk())["n"], rfc7515_rsa_jwk()["n"]);
  EXPECT_EQ((*key->public_jwk())["e"], "AQAB");
}

TEST(SigningKey, ReproducesRfc7515A1Hs256Example) {
  const auto key = import({{"kty", "oct"},
                           {"kid", "rfc7515-a1"},
                           {"alg", "HS256"},
                           {"k",
                            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4h"
                            "cgUuTwjAzZr1Z9CAow"}});
  ASSERT_TRUE(key);
  const auto [input, sig] = split_jws("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + kRfcPayload +
                                      ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  EXPECT_EQ(key->sign(input), sig);
  EXPECT_TRUE(key->verify(input, sig));
  EXPECT_EQ(key->public_jwk(), std::nullopt) << "a symmetric key is never published";
}

TEST(SigningKey, AcceptsSupabaseSigningKeyShapes) {
  // The Supabase CLI's signing_keys.json adds key_ops, ext and use; they are not read here.
  for (json jwk : {rfc7515_ec_jwk(), rfc7515_rsa_jwk()}) {
    jwk["key_ops"] = {"sign", "verify"};
    jwk["ext"] = true;
    jwk["use"] = "sig";
    jwk["kid"] = "b81269f1-21d8-4f2e-b719-c2240a840d90";
    const auto key = SigningKey::from_private_jwk(jwk);
    ASSERT_TRUE(key) << key.error().detail;
    EXPECT_EQ((*key)->kid(), "b81269f1-21d8-4f2e-b719-c2240a840d90");
  }
}

TEST(SigningKey, PublicJwkHasNoPrivateMembers) {
  for (const auto& key : {SigningKey::generate(JwsAlgorithm::es256, "es"),
                          SigningKey::generate(JwsAlgorithm::rs256, "rs"), import(rfc7515_ec_jwk()),
                          import(rfc7515_rsa_jwk())}) {
    const auto pub = key->public_jwk();
    ASSERT_TRUE(pub);
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k", "oth"})
      EXPECT_FALSE(pub->contains(member)) << key->kid() << ": " << member;
    EXPECT_EQ((*pub)["kid"], key->kid());
    EXPECT_EQ((*pub)["alg"], algorithm_name(key->algorithm()));
    EXPECT_EQ((*pub)["use"], "sig");
    EXPECT_EQ((*pub)["key_ops"], json::array({"verify"}));
  }
  EXPECT_EQ(SigningKey::generate(JwsAlgorithm::hs256, "hs")->public_jwk(), std::nullopt);
  const json ec = *SigningKey::generate(JwsAlgorithm::es256, "es")->public_jwk();
  EXPECT_EQ(ec["kty"], "EC");
  EXPECT_EQ(ec["crv"], "P-256");
  EXPECT_EQ(base64url_decode(ec["x"].get<std::string>())->size(), 32u);
}

TEST(SigningKey, PrivateMaterialRoundTrips) {
  for (auto alg : {JwsAlgorithm::hs256, JwsAlgorithm::es256, JwsAlgorithm::rs256}) {
    SCOPED_TRACE(std::string(algorithm_name(alg)));
    const auto key = SigningKey::generate(alg, "k1");
    const std::string material = key->private_material();
    if (alg != JwsAlgorithm::hs256) {
      EXPECT_EQ(material[0], 0x30) << "PKCS#8 DER";
    }
    const auto again = SigningKey::from_private_material(alg, "k2", material);
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_EQ((*again)->kid(), "k2");
    EXPECT_EQ((*again)->private_material(), material);
    EXPECT_TRUE((*again)->verify("input", key->sign("input")));
    EXPECT_TRUE(key->verify("input", (*again)->sign("input")));
  }
}

TEST(SigningKey, FromPrivateMaterialRefusesBadMaterial) {
  const std::string es = SigningKey::generate(JwsAlgorithm::es256, "es")->private_material();
  const std::string rs = SigningKey::generate(JwsAlgorithm::rs256, "rs")->private_material();
  const std::string p384 = [] {
    test::Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(k.get());
    unsigned char* der = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return out;
  }();
  struct Case {
    const char* name;
    JwsAlgorithm alg;
    std::string kid;
    std::string material;
  };
  const Case cases[] = {
      {"ES256 material as RS256", JwsAlgorithm::rs256, "k", es},
      {"RS256 material as ES256", JwsAlgorithm::es256, "k", rs},
      {"P-384 key", JwsAlgorithm::es256, "k", p384},
      {"truncated", JwsAlgorithm::es256, "k", es.substr(0, es.size() - 1)},
      {"trailing byte", JwsAlgorithm::es256, "k", es + '\0'},
      {"garbage", JwsAlgorithm::rs256, "k", std::string(300, 'x')},
      {"empty", JwsAlgorithm::es256, "k", ""},
      {"short HS256 secret", JwsAlgorithm::hs256, "k", std::string(31, 's')},
      {"empty kid", JwsAlgorithm::es256, "", es},
  };
  for (const Case& c : cases) {
    const auto got = SigningKey::from_private_material(c.alg, c.kid, c.material);
    ASSERT_FALSE(got) << c.name;
    EXPECT_EQ(got.error().code, Errc::invalid_input) << c.name;
  }
}

TEST(SigningKey, KidAndSecretRules) {
  EXPECT_THROW(SigningKey::from_secret("k", std::string(31, 's')), std::invalid_argument);
  EXPECT_NO_THROW(SigningKey::from_secret("k", std::string(32, 's')));
  EXPECT_THROW(SigningKey::generate(JwsAlgorithm::es256, ""), std::invalid_argument);
  EXPECT_THROW(SigningKey::generate(JwsAlgorithm::hs256, std::string(201, 'k')),
               std::invalid_argument);
  EXPECT_THROW(SigningKey::generate(JwsAlgorithm::hs256, "tab\there"), std::invalid_argument);
  EXPECT_NO_THROW(SigningKey::generate(JwsAlgorithm::hs256, std::string(200, 'k')));
}

struct JwkCase {
  const char* name;
  std::function<json()> jwk;
  const char* detail_has;  // a word the refusal names
};

std::vector<JwkCase> bad_jwks() {
  const json ec = rfc7515_ec_jwk();
  const json rsa = rfc7515_rsa_jwk();
  const auto with = [](json j, const char* member, json value) {
    j[member] = std::move(value);
    return j;
  };
  const auto without = [](json j, const char* member) {
    j.erase(member);
    return j;
  };
  const json other_ec = test::generated_ec_jwk("P-256", 32, "other");
  const json other_rsa = test::generated_rsa_jwk(2048, "other");
  return {
      {"not an object", [] { return json::array(); }, "object"},
      {"kid missing", [=] { return without(ec, "kid"); }, "kid"},
      {"kid not a string", [=] { return with(ec, "kid", 7); }, "kid"},
      {"kid empty", [=] { return with(ec, "kid", ""); }, "kid"},
      {"kid too long", [=] { return with(ec, "kid", std::string(201, 'k')); }, "kid"},
      {"kid not printable", [=] { return with(ec, "kid", "a\nb"); }, "kid"},
      {"kty missing", [=] { return without(ec, "kty"); }, "kty"},
      {"kty unknown", [=] { return with(ec, "kty", "OKP"); }, "kty"},
      {"alg missing", [=] { return without(ec, "alg"); }, "alg"},
      {"alg not a string", [=] { return with(ec, "alg", json::array({"ES256"})); }, "alg"},
      {"EC with RS256", [=] { return with(ec, "alg", "RS256"); }, "alg"},
      {"EC with HS256", [=] { return with(ec, "alg", "HS256"); }, "alg"},
      {"RSA with ES256", [=] { return with(rsa, "alg", "ES256"); }, "alg"},
      {"RSA with PS256", [=] { return with(rsa, "alg", "PS256"); }, "alg"},
      {"oct with ES256",
       [] {
         return json{{"kty", "oct"}, {"kid", "k"}, {"alg", "ES256"}, {"k", std::string(43, 'A')}};
       },
       "alg"},
      // EC
      {"EC public JWK (no d)", [=] { return without(ec, "d"); }, "d missing"},
      {"EC curve P-384", [] { return test::generated_ec_jwk("P-384", 48, "k"); }, "crv"},
      {"EC curve missing", [=] { return without(ec, "crv"); }, "crv"},
      {"EC public part of another key",
       [=] { return with(with(ec, "x", other_ec["x"]), "y", other_ec["y"]); }, "match"},
      {"EC d of another key", [=] { return with(ec, "d", other_ec["d"]); }, "match"},
      {"EC point not on the curve", [=] { return with(ec, "y", other_ec["y"]); }, "point"},
      {"EC x short", [=] { return with(ec, "x", base64url_encode(std::string(31, 'x'))); }, "x"},
      {"EC d long", [=] { return with(ec, "d", base64url_encode(std::string(33, '\1'))); }, "d"},
      {"EC d zero", [=] { return with(ec, "d", base64url_encode(std::string(32, '\0'))); },
       "match"},
      {"EC x not base64url",
       [=] { return with(ec, "x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU="); }, "x"},
      {"EC y not a string", [=] { return with(ec, "y", 5); }, "y"},
      // RSA
      {"RSA public JWK (no d)", [=] { return without(rsa, "d"); }, "d missing"},
      {"RSA without CRT members", [=] { return without(rsa, "qi"); }, "qi"},
      {"RSA modulus of another key", [=] { return with(rsa, "n", other_rsa["n"]); }, "match"},
      {"RSA d of another key", [=] { return with(rsa, "d", other_rsa["d"]); }, "match"},
      {"RSA wrong CRT coefficient", [=] { return with(rsa, "qi", other_rsa["qi"]); }, "match"},
      {"RSA 1024 bits", [] { return test::generated_rsa_jwk(1024, "k"); }, "2048"},
      {"RSA multi-prime", [=] { return with(rsa, "oth", json::array()); }, "oth"},
      {"RSA e not base64url", [=] { return with(rsa, "e", "AQAB!"); }, "e"},
      // oct
      {"oct k short",
       [] {
         return json{{"kty", "oct"},
                     {"kid", "k"},
                     {"alg", "HS256"},
                     {"k", base64url_encode(std::string(31, 'k'))}};
       },
       "32"},
      {"oct k missing",
       [] {
         return json{{"kty", "oct"}, {"kid", "k"}, {"alg", "HS256"}};
       },
       "k"},
  };
}

TEST(SigningKey, FromPrivateJwkRefusesBadKeysWithoutNamingTheirMaterial) {
  for (const JwkCase& c : bad_jwks()) {
    const json jwk = c.jwk();
    const auto got = SigningKey::from_private_jwk(jwk);
    ASSERT_FALSE(got) << c.name << ": accepted";
    EXPECT_EQ(got.error().code, Errc::invalid_input) << c.name;
    const std::string& detail = got.error().detail;
    EXPECT_NE(detail.find(c.detail_has), std::string::npos) << c.name << ": " << detail;
    if (!jwk.is_object()) continue;
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k", "x", "y", "n"}) {
      const auto it = jwk.find(member);
      if (it == jwk.end() || !it->is_string() || it->get<std::string>().size() < 8) continue;
      EXPECT_EQ(detail.find(it->get<std::string>().substr(0, 8)), std::string::npos)
          << c.name << ": the detail quotes " << member;
    }
  }
}

}  // namespace
}  // namespace latchkey::crypto
