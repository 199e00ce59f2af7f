// The error contract: body shape, malformed input, size limits, routing errors, and every
// way a bearer token can be bad.
#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(ErrorsTest, both);
LATCHKEY_SUITE_BACKENDS(BadTokenTest, both);

class ErrorsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    user_ = new_account("errors");
    ASSERT_TRUE(user_.ok) << user_.error;
  }
  Account user_;
};

TEST_F(ErrorsTest, MalformedJsonIs422) {
  for (const char* body : {"{", "{\"email\": }", "not json", "{\"email\": \"a@example.com\",}",
                           "{'email': 'x'}", "{\"title\": \"t\", \"content\": \"c\"} trailing"}) {
    EXPECT_TRUE(IsValidationError(client().request("POST", "/auth/register", {}, body))) << body;
    EXPECT_TRUE(IsValidationError(client().request("POST", "/data", user_.auth(), body))) << body;
  }
}

TEST_F(ErrorsTest, EmptyBodyIs422) {
  EXPECT_TRUE(IsValidationError(client().request("POST", "/auth/register")));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/auth/login")));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/data", user_.auth())));
}

TEST_F(ErrorsTest, BodyThatIsNotAnObjectIs422) {
  for (const char* body :
       {"[]", "[{\"email\":\"a@example.com\"}]", "\"text\"", "42", "null", "true"}) {
    EXPECT_TRUE(IsValidationError(client().request("POST", "/auth/login", {}, body))) << body;
    EXPECT_TRUE(IsValidationError(client().request("POST", "/data", user_.auth(), body))) << body;
  }
}

TEST_F(ErrorsTest, InvalidUtf8Is422) {
  const std::vector<std::string> bodies = {
      "{\"title\": \"bad \xff byte\", \"content\": \"c\"}",
      "{\"title\": \"t\", \"content\": \"overlong \xc0\xaf\"}",
      "{\"title\": \"t\", \"content\": \"cut \xe2\x82\"}",
      "{\"title\": \"t\", \"content\": \"surrogate \xed\xa0\x80\"}",
      "{\"title\": \"t\", \"content\": \"c\", \"metadata\": {\"k\xfe\": 1}}",
  };
  for (const auto& body : bodies) {
    EXPECT_TRUE(IsValidationError(client().request("POST", "/data", user_.auth(), body))) << body;
  }
  const Response list = client().get("/data", user_.auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json(), json::array()) << "invalid UTF-8 was stored";
}

TEST_F(ErrorsTest, DeeplyNestedJsonIsRefusedWithoutCrashing) {
  const std::string arrays(100000, '[');
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  const std::vector<std::string> bodies = {
      "{\"title\": \"t\", \"content\": \"c\", \"metadata\": {\"deep\": " + arrays + "}}",
      "{\"title\": \"t\", \"content\": \"c\", \"metadata\": " + objects,
      arrays,
  };
  for (const auto& body : bodies) {
    const Response r = client().request("POST", "/data", user_.auth(), body);
    EXPECT_GE(r.status, 400) << r.body.substr(0, 200);
    EXPECT_LT(r.status, 500) << r.body.substr(0, 200);
  }
  // Closed arrays nested deeply are valid JSON but still must not take the server down.
  std::string closed = "{\"title\": \"t\", \"content\": \"c\", \"metadata\": {\"deep\": ";
  closed += std::string(100000, '[') + std::string(100000, ']') + "}}";
  const Response r = client().request("POST", "/data", user_.auth(), closed);
  EXPECT_TRUE(r.status == 200 || (r.status >= 400 && r.status < 500)) << r.status;

  EXPECT_EQ(client().get("/health").status, 200) << "server stopped answering";
  EXPECT_TRUE(server().running());
}

TEST_F(ErrorsTest, BodyOverOneMebibyteIs413) {
  const std::string content((1 << 20) + 1024, 'x');
  const json body = {{"title", "big"}, {"content", content}};
  EXPECT_TRUE(IsErrorBody(client().post("/data", body, user_.auth()), 413));
  EXPECT_TRUE(IsErrorBody(
      client().post("/auth/register", {{"email", unique_email("big")}, {"password", content}}),
      413));
  EXPECT_EQ(client().get("/health").status, 200);
}

TEST_F(ErrorsTest, DeclaredLengthOverTheLimitIs413BeforeTheBodyArrives) {
  Connection c(client().port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.send_all("POST /data HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + user_.access_token +
                 "\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{"));
  EXPECT_TRUE(IsErrorBody(c.read_response(), 413));
}

TEST_F(ErrorsTest, BodyJustUnderTheLimitIsAccepted) {
  const std::string content(900 * 1024, 'y');
  const Response r = client().post("/data", {{"title", "big"}, {"content", content}}, user_.auth());
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.json()["content"].get<std::string>().size(), content.size());
}

TEST_F(ErrorsTest, UnknownPathIs404) {
  for (const char* path : {"/nope", "/auth", "/auth/nope", "/data/a/b", "/health/x", "/DATA"}) {
    EXPECT_TRUE(IsErrorBody(client().get(path, user_.auth()), 404)) << path;
  }
}

TEST_F(ErrorsTest, KnownPathWrongMethodIs405) {
  struct Case {
    const char* method;
    const char* path;
  };
  const Case cases[] = {{"DELETE", "/auth/login"},
                        {"GET", "/auth/login"},
                        {"GET", "/auth/register"},
                        {"PUT", "/auth/me"},
                        {"GET", "/auth/logout"},
                        {"GET", "/auth/refresh"},
                        {"PATCH", "/data"},
                        {"DELETE", "/data"},
                        {"POST", "/health"},
                        {"POST", "/"},
                        {"POST", "/data/00000000-0000-4000-8000-000000000000"}};
  for (const auto& c : cases) {
    const Response r = client().request(c.method, c.path, user_.auth(),
                                        std::string_view(c.method) == "GET" ? "" : "{}");
    EXPECT_TRUE(IsErrorBody(r, 405)) << c.method << " " << c.path;
  }
}

TEST_F(ErrorsTest, WrongTypesInDataBodyAre422) {
  const Response r =
      client().post("/data", {{"title", 1}, {"content", 2}, {"metadata", {1}}}, user_.auth());
  ASSERT_TRUE(IsValidationError(r));
  EXPECT_GE(r.json()["detail"].size(), 1u);
}

class BadTokenTest : public ErrorsTest {
 protected:
  // The user's own claims, re-signed by the test with the given algorithm and key.
  json claims() const { return jwt_part(user_.access_token, 1); }
  void expect_refused(const std::string& token, const char* why) {
    EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(token)))) << why << ": " << token;
    EXPECT_TRUE(IsUnauthorized(client().get("/data", bearer(token)))) << why;
  }
};

TEST_F(BadTokenTest, MissingOrMalformedAuthorizationIs401) {
  const std::vector<Headers> cases = {
      {},
      {{"Authorization", ""}},
      {{"Authorization", "Bearer"}},
      {{"Authorization", "Bearer "}},
      {{"Authorization", "Bearer not.a.jwt"}},
      {{"Authorization", "Bearer abc"}},
      {{"Authorization", "Basic dXNlcjpwYXNz"}},
      {{"Authorization", "Token " + user_.access_token}},
      {{"Authorization", user_.access_token}},
      {{"Authorization", "Bearer " + user_.access_token + "x"}},
      {{"Authorization", "Bearer " + user_.access_token + ".extra"}},
  };
  for (const auto& headers : cases) {
    EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", headers)))
        << (headers.empty() ? "<no header>" : headers[0].second);
  }
  // The genuine token still works, so the refusals above are about the header.
  EXPECT_EQ(client().get("/auth/me", user_.auth()).status, 200);
}

TEST_F(BadTokenTest, LowerCaseBearerSchemeIsAccepted) {
  // RFC 7235: the auth scheme is case-insensitive.
  EXPECT_EQ(client().get("/auth/me", {{"Authorization", "bearer " + user_.access_token}}).status,
            200);
}

TEST_F(BadTokenTest, TokenSignedWithAnotherKeyIs401) {
  ASSERT_TRUE(claims().is_object());
  expect_refused(sign_hs256({{"alg", "HS256"}, {"typ", "JWT"}}, claims(),
                            "some-other-secret-that-is-long-enough-000"),
                 "wrong key");
}

TEST_F(BadTokenTest, TamperedPayloadIs401) {
  json c = claims();
  ASSERT_TRUE(c.is_object());
  const std::string token = user_.access_token;
  const size_t first = token.find('.');
  const size_t last = token.rfind('.');
  c["email"] = "someone-else@example.com";
  const std::string tampered =
      token.substr(0, first + 1) + base64url_encode(c.dump()) + token.substr(last);
  expect_refused(tampered, "payload changed, signature kept");
}

TEST_F(BadTokenTest, AlgNoneIs401) {
  ASSERT_TRUE(claims().is_object());
  for (const char* alg : {"none", "None", "NONE"}) {
    const std::string unsigned_token =
        base64url_encode(json({{"alg", alg}, {"typ", "JWT"}}).dump()) + "." +
        base64url_encode(claims().dump()) + ".";
    expect_refused(unsigned_token, alg);
  }
}

TEST_F(BadTokenTest, OtherAlgorithmHeaderIs401) {
  // Signed with the right secret but claiming HS512 / RS256: the server must pin HS256.
  ASSERT_TRUE(claims().is_object());
  expect_refused(sign_hs256({{"alg", "HS512"}, {"typ", "JWT"}}, claims(), kTestJwtSecret),
                 "alg HS512 header");
  expect_refused(sign_hs256({{"alg", "RS256"}, {"typ", "JWT"}}, claims(), kTestJwtSecret),
                 "alg RS256 header");
}

TEST_F(BadTokenTest, ExpiredTokenIs401) {
  json c = claims();
  ASSERT_TRUE(c.is_object());
  const int64_t now = now_us() / 1000000;
  c["iat"] = now - 7200;
  c["exp"] = now - 3600;
  expect_refused(sign_hs256({{"alg", "HS256"}, {"typ", "JWT"}}, c, kTestJwtSecret), "expired");
}

TEST_F(BadTokenTest, ForgedTokenWithTheRightKeyIsAcceptedAsControl) {
  // Control for the tests above: re-signing the unchanged claims with the server's secret
  // gives a working token, so their 401s come from the one thing each one changes.
  ASSERT_TRUE(claims().is_object());
  const std::string token =
      sign_hs256({{"alg", "HS256"}, {"typ", "JWT"}}, claims(), kTestJwtSecret);
  EXPECT_EQ(client().get("/auth/me", bearer(token)).status, 200);
}

TEST_F(BadTokenTest, WrongAudienceOrMissingClaimsIs401) {
  const json base = claims();
  ASSERT_TRUE(base.is_object());
  const json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  json wrong_aud = base;
  wrong_aud["aud"] = "someone-else";
  expect_refused(sign_hs256(header, wrong_aud, kTestJwtSecret), "aud");
  json no_exp = base;
  no_exp.erase("exp");
  expect_refused(sign_hs256(header, no_exp, kTestJwtSecret), "no exp");
  json no_session = base;
  no_session.erase("session_id");
  expect_refused(sign_hs256(header, no_session, kTestJwtSecret), "no session_id");
  json bad_sub = base;
  bad_sub["sub"] = "not-a-uuid";
  expect_refused(sign_hs256(header, bad_sub, kTestJwtSecret), "sub not a uuid");
}

TEST_F(BadTokenTest, MalformedRequestsDoNotKillTheServer) {
  for (const std::string& raw :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
        std::string("POST /data HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n0\r\n\r\n"),
        "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n",
        "GET /" + std::string(64 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    const Response r = client().raw(raw);
    // Either an error answer or a closed connection; never a success or a crash.
    EXPECT_TRUE(r.status == 0 || (r.status >= 400 && r.status < 500) || r.status == 505)
        << r.status << " for " << raw.substr(0, 60);
    ASSERT_EQ(client().get("/health").status, 200) << "after " << raw.substr(0, 60);
  }
}

}  // namespace
}  // namespace latchkey::test
