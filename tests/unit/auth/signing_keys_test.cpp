// SigningKeys over a temporary SQLite store and a FixedClock: generation, reload, rotation
// on a schedule, retirement and the import of Supabase's JWK sets, seen through the codec.
#include "auth/signing_keys.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/base64url.hpp"
#include "support/services.hpp"

namespace latchkey::auth {
namespace {

using crypto::JwsAlgorithm;
using nlohmann::json;
using testing::kSecret;
using testing::Services;

constexpr core::Micros kSecond = 1'000'000;

struct Fixture {
  Services s;
  SigningKeys keys{s.db->signing_keys(), s.jwt, std::string(kSecret), s.clock, s.random};

  crypto::AccessClaims claims() const {
    crypto::AccessClaims c;
    c.sub = "7b0c7c5e-8f3a-4d33-9d7a-1d2e3f405162";
    c.session_id = "0f0e0d0c-0b0a-4908-8706-050403020100";
    c.email = "a@example.com";
    c.role = "authenticated";
    c.aud = "authenticated";
    c.iss = "latchkey";
    c.iat = s.clock.now_s();
    c.exp = c.iat + 600;
    return c;
  }
  std::string token() const { return s.jwt.sign(claims()); }
  Result<crypto::AccessClaims> verify(const std::string& t) const {
    return s.jwt.verify(t, s.clock.now_s());
  }
};

json header_of(const std::string& token) {
  return json::parse(crypto::base64url_decode(token.substr(0, token.find('.'))).value());
}

std::vector<SigningKeyInfo> listed(SigningKeys& keys) {
  auto l = keys.list();
  EXPECT_TRUE(l.has_value());
  return l ? *l : std::vector<SigningKeyInfo>{};
}

TEST(SigningKeysTest, UnderHs256TheServerSecretSignsAndNothingIsPublished) {
  Fixture f;
  ASSERT_TRUE(f.keys.ensure_signer(JwsAlgorithm::hs256));
  ASSERT_TRUE(f.keys.reload());
  const auto l = listed(f.keys);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].kid, f.s.jwt.project_kid());
  EXPECT_EQ(l[0].state, KeyState::signing);
  EXPECT_EQ(l[0].origin, "server secret");
  EXPECT_EQ(header_of(f.token())["kid"], f.s.jwt.project_kid());
  EXPECT_EQ(json::parse(f.s.jwt.jwks()), json({{"keys", json::array()}}));
}

TEST(SigningKeysTest, Es256MakesOneKeyThatSignsAtOnceAndIsPublished) {
  Fixture f;
  ASSERT_TRUE(f.keys.ensure_signer(JwsAlgorithm::es256));
  ASSERT_TRUE(f.keys.ensure_signer(JwsAlgorithm::es256)) << "a second start adds nothing";
  ASSERT_TRUE(f.keys.reload());
  const auto l = listed(f.keys);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].state, KeyState::verifying) << "the project key";
  EXPECT_EQ(l[1].algorithm, "ES256");
  EXPECT_EQ(l[1].state, KeyState::signing);

  const auto t = f.token();
  EXPECT_EQ(header_of(t)["alg"], "ES256");
  EXPECT_EQ(header_of(t)["kid"], l[1].kid);
  EXPECT_TRUE(f.verify(t));
  const auto jwks = json::parse(f.s.jwt.jwks());
  ASSERT_EQ(jwks["keys"].size(), 1u);
  EXPECT_EQ(jwks["keys"][0]["kid"], l[1].kid);
  EXPECT_FALSE(jwks["keys"][0].contains("d")) << "the private part is never published";
  // The stored private part is sealed: no PKCS#8 DER (it starts 0x30) in the clear.
  const auto stored = f.s.db->signing_keys().list_keys().value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(crypto::base64url_decode(stored[0].private_sealed).has_value());
  EXPECT_NE(stored[0].private_sealed.substr(0, 2), "MI");
}

TEST(SigningKeysTest, ARotatedKeySignsOnlyFromItsTimeAndTheOldOneKeepsVerifying) {
  Fixture f;
  ASSERT_TRUE(f.keys.ensure_signer(JwsAlgorithm::es256));
  ASSERT_TRUE(f.keys.reload());
  const auto before = f.token();
  auto next = f.keys.rotate(JwsAlgorithm::rs256, kSignerDelayUs);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->state, KeyState::next);
  ASSERT_TRUE(f.keys.reload());
  EXPECT_EQ(header_of(f.token())["kid"], header_of(before)["kid"]) << "too early to sign";
  EXPECT_EQ(json::parse(f.s.jwt.jwks())["keys"].size(), 2u) << "published before it signs";

  f.s.clock.advance_us(kSignerDelayUs);
  const auto after = f.token();
  EXPECT_EQ(header_of(after)["kid"], next->kid);
  EXPECT_EQ(header_of(after)["alg"], "RS256");
  EXPECT_TRUE(f.verify(after));
  EXPECT_TRUE(f.verify(before)) << "the previous key still verifies";
  const auto l = listed(f.keys);
  EXPECT_EQ(l[1].state, KeyState::verifying);
  EXPECT_EQ(l[2].state, KeyState::signing);
}

TEST(SigningKeysTest, RetiringAKeyRefusesItsTokensButNeverTheSigner) {
  Fixture f;
  ASSERT_TRUE(f.keys.ensure_signer(JwsAlgorithm::es256));
  ASSERT_TRUE(f.keys.reload());
  const auto old_token = f.token();
  const std::string old_kid = header_of(old_token)["kid"];
  auto next = f.keys.rotate(JwsAlgorithm::es256, kSignerDelayUs);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(f.keys.retire(next->kid).error().code, Errc::conflict) << "it will sign";
  EXPECT_EQ(f.keys.retire(old_kid).error().code, Errc::conflict) << "it signs now";
  EXPECT_EQ(f.keys.retire(f.s.jwt.project_kid()).error().code, Errc::conflict);
  EXPECT_EQ(f.keys.retire("no-such-kid").error().code, Errc::not_found);

  f.s.clock.advance_us(kSignerDelayUs);
  ASSERT_TRUE(f.keys.retire(old_kid));
  EXPECT_TRUE(f.verify(old_token)) << "until this node reloads";
  ASSERT_TRUE(f.keys.reload());
  auto refused = f.verify(old_token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "unknown_kid");
  EXPECT_EQ(json::parse(f.s.jwt.jwks())["keys"].size(), 1u);
  EXPECT_EQ(listed(f.keys)[1].state, KeyState::retired);
}

TEST(SigningKeysTest, KeysSealedUnderAnotherSecretFailTheReloadAndTheCodecKeepsItsKeys) {
  Fixture f;
  ASSERT_TRUE(f.keys.ensure_signer(JwsAlgorithm::es256));
  ASSERT_TRUE(f.keys.reload());
  const auto t = f.token();
  SigningKeys other(f.s.db->signing_keys(), f.s.jwt, "another-secret-0123456789abcdef0123",
                    f.s.clock, f.s.random);
  ASSERT_TRUE(other.rotate(JwsAlgorithm::es256, 0));
  auto reloaded = f.keys.reload();
  ASSERT_FALSE(reloaded);
  EXPECT_NE(reloaded.error().public_message().find("LATCHKEY_JWT_SECRET"), std::string::npos);
  EXPECT_TRUE(f.verify(t)) << "the keys loaded before stay";
}

// The ES256 key of RFC 7515 appendix A.3, as a Supabase signing_keys.json entry.
json supabase_ec_key(const std::string& kid, bool signs) {
  json ops = signs ? json::array({"sign", "verify"}) : json::array({"verify"});
  return {{"kty", "EC"},
          {"kid", kid},
          {"use", "sig"},
          {"key_ops", ops},
          {"alg", "ES256"},
          {"ext", true},
          {"crv", "P-256"},
          {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
          {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
          {"d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}};
}

TEST(SigningKeysTest, ImportedSupabaseKeysVerifyTheirTokensAndTheSignerTakesOver) {
  Fixture f;
  const json file = json::array({supabase_ec_key("supabase-ec", true)});
  // A token the Supabase project issued with that key before the move.
  auto supabase_key = crypto::SigningKey::from_private_jwk(file[0]).value();
  const std::string header =
      crypto::base64url_encode(R"({"alg":"ES256","kid":"supabase-ec","typ":"JWT"})");
  const auto c = f.claims();
  const std::string payload = crypto::base64url_encode(json{
      {"sub", c.sub},
      {"session_id", c.session_id},
      {"email", c.email},
      {"role", c.role},
      {"aud", c.aud},
      {"iss", c.iss},
      {"iat", c.iat},
      {"exp", c.exp}}.dump());
  const std::string input = header + "." + payload;
  const std::string issued = input + "." + crypto::base64url_encode(supabase_key->sign(input));
  EXPECT_FALSE(f.verify(issued)) << "unknown before the import";

  auto imported = f.keys.import_jwks(file.dump(), kSignerDelayUs);
  ASSERT_TRUE(imported.has_value()) << imported.error().detail;
  ASSERT_EQ(imported->size(), 1u);
  EXPECT_EQ(imported->at(0).origin, "imported");
  EXPECT_EQ(imported->at(0).state, KeyState::next);
  ASSERT_TRUE(f.keys.reload());
  EXPECT_TRUE(f.verify(issued)) << "live Supabase tokens stay valid";
  f.s.clock.advance_us(kSignerDelayUs);
  EXPECT_EQ(header_of(f.token())["kid"], "supabase-ec");
}

TEST(SigningKeysTest, AnImportIsAllOrNothingAndNamesWhatIsWrong) {
  Fixture f;
  auto import = [&](const json& j) { return f.keys.import_jwks(j.dump(), 0); };
  auto no_d = supabase_ec_key("b", false);
  no_d.erase("d");
  auto bad_ops = supabase_ec_key("c", false);
  bad_ops["key_ops"] = "sign";
  struct Case {
    json file;
    std::string why;
  };
  const Case cases[] = {
      {json::object(), "not a list"},
      {json::array(), "empty"},
      {json::array({supabase_ec_key("a", false), no_d}), "a public key only"},
      {json::array({supabase_ec_key("a", true), supabase_ec_key("b", true)}), "two signers"},
      {json::array({supabase_ec_key("a", false), supabase_ec_key("a", false)}), "a kid twice"},
      {json::array({bad_ops}), "key_ops not a list"},
      {json::array({supabase_ec_key(f.s.jwt.project_kid(), false)}), "the project kid"},
  };
  for (const auto& c : cases) {
    auto r = import(c.file);
    ASSERT_FALSE(r.has_value()) << c.why;
    EXPECT_EQ(r.error().detail.find("jpsQnnGQmL"), std::string::npos) << "key material leaked";
    EXPECT_TRUE(f.s.db->signing_keys().list_keys().value().empty()) << c.why;
  }
  EXPECT_FALSE(f.keys.import_jwks("{not json", 0));
  ASSERT_TRUE(import(json{{"keys", json::array({supabase_ec_key("a", false)})}}))
      << "the {keys: [...]} form";
  auto again = import(json::array({supabase_ec_key("a", false)}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
}

}  // namespace
}  // namespace latchkey::auth
