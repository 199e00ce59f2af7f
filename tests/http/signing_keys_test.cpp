// Asymmetric signing keys over HTTP, as resource servers see them: ES256 access tokens with a
// kid, the JWK set on both surfaces, a PyJWT resource server (examples/resource_server.py)
// verifying them offline, and `latchkey keys rotate|retire|import` reaching a running server.
#include <chrono>
#include <regex>
#include <thread>

#include "backends.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(SigningKeysHttpTest, both);

using SteadyClock = std::chrono::steady_clock;

constexpr const char* kPython = "/usr/bin/python3";

class SigningKeysHttpTest : public ApiTest {
 protected:
  static void SetUpTestSuite() { start_shared(unthrottled().args({"--jwt-algorithm", "ES256"})); }

  // `latchkey keys ARGS...` against the server's database, as an operator runs it.
  static RunResult keys(std::vector<std::string> args) {
    args.insert(args.begin(), "keys");
    return run_admin(std::move(args));
  }
  static json jwks(const char* path = "/.well-known/jwks.json") {
    const Response r = client().get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }
  static std::string kid_of(const std::string& token) { return jwt_part(token, 0)["kid"]; }
  // Refreshes until the access token's kid is `kid` (the key's signing time has come), up to
  // `within`. Returns the last pair.
  static Account refreshed_until(Account a, const std::string& kid, std::chrono::seconds within) {
    const auto deadline = SteadyClock::now() + within;
    while (kid_of(a.access_token) != kid && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      const Response r = client().post("/auth/refresh", {{"refresh_token", a.refresh_token}});
      if (r.status != 200) break;
      a.access_token = r.json()["access_token"];
      a.refresh_token = r.json()["refresh_token"];
    }
    return a;
  }
};

TEST_F(SigningKeysHttpTest, AccessTokensAreEs256AndTheirKeyIsPublishedOnBothSurfaces) {
  const Account a = new_account("es256");
  ASSERT_TRUE(a.ok) << a.error;
  const json header = jwt_part(a.access_token, 0);
  EXPECT_EQ(header["alg"], "ES256");
  ASSERT_TRUE(header["kid"].is_string());
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(client().get("/auth/me", a.auth()).status, 200);

  const json keys = jwks();
  EXPECT_EQ(jwks("/auth/v1/.well-known/jwks.json"), keys) << "one key set, two paths";
  ASSERT_EQ(keys["keys"].size(), 1u) << keys.dump();
  const json& k = keys["keys"][0];
  EXPECT_EQ(k["kid"], header["kid"]);
  EXPECT_EQ(k["kty"], "EC");
  EXPECT_EQ(k["crv"], "P-256");
  EXPECT_EQ(k["alg"], "ES256");
  for (const char* secret : {"d", "k", "p", "q", "dp", "dq", "qi"})
    EXPECT_FALSE(k.contains(secret)) << secret;
  // API keys stay HS256 under the server secret: rotations never invalidate them.
  EXPECT_EQ(client().get("/auth/v1/settings", {{"apikey", test_api_key("anon")}}).status, 200);
}

TEST_F(SigningKeysHttpTest, ForgedTokensAreRefused) {
  const Account a = new_account("forged");
  ASSERT_TRUE(a.ok) << a.error;
  const json claims = jwt_part(a.access_token, 1);
  const json key = jwks()["keys"][0];
  // Algorithm confusion: HS256 "signed" with the public key itself, under the ES256 kid.
  for (const std::string& secret :
       {key.dump(), key["x"].get<std::string>() + key["y"].get<std::string>()}) {
    const std::string forged =
        sign_hs256({{"alg", "HS256"}, {"kid", key["kid"]}, {"typ", "JWT"}}, claims, secret);
    EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(forged))));
  }
  const std::string none = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                           base64url_encode(claims.dump()) + ".";
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(none))));
  std::string tampered = a.access_token;
  tampered[tampered.rfind('.') + 5] ^= 1;
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(tampered))));
  const std::string unknown_kid =
      base64url_encode(R"({"alg":"ES256","kid":"not-a-key","typ":"JWT"})") +
      a.access_token.substr(a.access_token.find('.'));
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(unknown_kid))));
}

// The README's example resource server: it verifies latchkey's tokens with PyJWT's
// PyJWKClient and the published keys only.
class ResourceServer {
 public:
  explicit ResourceServer(const std::string& jwks_url) {
    process_ = BackgroundProcess::start(
        kPython,
        {LATCHKEY_EXAMPLES_DIR "/resource_server.py", "--jwks-url", jwks_url, "--port", "0"},
        &error_);
    const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
    const std::regex listening("listening on ([0-9]+)");
    while (process_ && SteadyClock::now() < deadline && process_->running()) {
      std::smatch m;
      const std::string err = process_->captured_stderr();
      if (std::regex_search(err, m, listening)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (process_) error_ = "the resource server did not start: " + process_->captured_stderr();
  }
  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  Response whoami(const std::string& token) const {
    return HttpClient(port_).get("/whoami", bearer(token));
  }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  std::string error_;
  uint16_t port_ = 0;
};

TEST_F(SigningKeysHttpTest, APyJwtResourceServerVerifiesTokensOfflineAcrossARotation) {
  const Account a = new_account("pyjwt");
  ASSERT_TRUE(a.ok) << a.error;
  const ResourceServer api("http://127.0.0.1:" + std::to_string(server().port()) +
                           "/.well-known/jwks.json");
  ASSERT_TRUE(api.ok()) << api.error();

  Response r = api.whoami(a.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["sub"], a.id);
  EXPECT_EQ(r.json()["role"], "authenticated");
  std::string tampered = a.access_token;
  tampered[tampered.rfind('.') + 5] ^= 1;
  EXPECT_EQ(api.whoami(tampered).status, 401);
  EXPECT_EQ(api.whoami(test_api_key("service_role")).status, 401)
      << "an HS256 token is never accepted by a server without the secret";

  // A rotation to an RS256 key: the server's new tokens carry its kid, and PyJWKClient fetches
  // the key set again when it meets a kid it has not seen.
  const RunResult rotated = keys({"rotate", "--jwt-algorithm", "RS256"});
  ASSERT_EQ(rotated.status.code, 0) << rotated.err;
  const std::string new_kid = rotated.out.substr(0, rotated.out.find(' '));
  const Account later = refreshed_until(a, new_kid, std::chrono::seconds(15));
  ASSERT_EQ(kid_of(later.access_token), new_kid) << "the new key never started signing";
  EXPECT_EQ(jwt_part(later.access_token, 0)["alg"], "RS256");
  r = api.whoami(later.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["kid"], new_kid);
  EXPECT_EQ(api.whoami(a.access_token).status, 200) << "the old key still verifies";
}

TEST_F(SigningKeysHttpTest, KeysListShowsTheSignerAndRetiringTheOldKeyRefusesItsTokens) {
  const Account a = new_account("retire");
  ASSERT_TRUE(a.ok) << a.error;
  const std::string old_kid = kid_of(a.access_token);
  const RunResult listed = keys({"list", "--json"});
  ASSERT_EQ(listed.status.code, 0) << listed.err;
  bool saw_signer = false;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    const json k = json::parse(line);
    if (k["kid"] == old_kid) saw_signer = k["state"] == "signing";
  }
  EXPECT_TRUE(saw_signer) << listed.out;

  const RunResult refused = keys({"retire", old_kid});
  EXPECT_NE(refused.status.code, 0) << "the signer cannot be retired";
  EXPECT_NE(refused.err.find("rotate"), std::string::npos) << refused.err;

  const RunResult rotated = keys({"rotate"});
  ASSERT_EQ(rotated.status.code, 0) << rotated.err;
  const std::string new_kid = rotated.out.substr(0, rotated.out.find(' '));
  const Account later = refreshed_until(a, new_kid, std::chrono::seconds(15));
  ASSERT_EQ(kid_of(later.access_token), new_kid);
  ASSERT_EQ(client().get("/auth/me", a.auth()).status, 200) << "old tokens verify until retired";

  const RunResult retired = keys({"retire", old_kid});
  ASSERT_EQ(retired.status.code, 0) << retired.err;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (client().get("/auth/me", a.auth()).status == 200 && SteadyClock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", a.auth())))
      << "a retired key's tokens were still accepted after 10 s";
  EXPECT_EQ(client().get("/auth/me", later.auth()).status, 200);
  for (const auto& k : jwks()["keys"]) EXPECT_NE(k["kid"], old_kid) << "retired, still published";
}

}  // namespace
}  // namespace latchkey::test
