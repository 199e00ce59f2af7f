// Log hygiene: a session that touches every route, successes and failures alike, at the most
// verbose log level in both formats, must leave no credential in the server's log: no
// password, access token (nor its signature), refresh token (nor its 20-character prefix),
// Authorization header value or JWT secret.
#include <string>
#include <vector>

#include "test_support.hpp"

namespace latchkey::test {
namespace {

// A fixed token-looking string any log must not contain when sent as a credential.
std::string distinctive(std::string_view what) {
  return std::string(what) + "-" + std::to_string(getpid()) + "-Kx7qLmN2pR";
}

struct Session {
  std::vector<std::string> secrets;
  std::vector<std::string> requests;  // "METHOD target -> status", for failure messages
};

// Drives every route of seed-api.md and collects every credential that crossed the wire.
Session run_session(const HttpClient& client) {
  Session s;
  auto note = [&](std::string what, const Response& r) {
    s.requests.push_back(what + " -> " + std::to_string(r.status));
    return r;
  };
  auto add_tokens = [&](const Response& r) {
    const json body = r.json();
    if (!body.is_object()) return;
    for (const char* key : {"access_token", "refresh_token"}) {
      const std::string t = body.value(key, "");
      if (t.empty()) continue;
      s.secrets.push_back(t);
      s.secrets.push_back("Bearer " + t);
      if (std::string_view(key) == "refresh_token" && t.size() > 20) {
        s.secrets.push_back(t.substr(0, 20));
      }
      if (std::string_view(key) == "access_token") {
        s.secrets.push_back(t.substr(t.rfind('.') + 1));  // the signature alone
      }
    }
  };

  const std::string email = unique_email("hygiene");
  const std::string password = distinctive("Pass-Word");
  const std::string wrong_password = distinctive("Wrong-Pass");
  const std::string bogus_refresh = distinctive("refresh-bogus-0123456789");
  const std::string bogus_bearer = distinctive("not.a.jwt");
  s.secrets.insert(s.secrets.end(), {password, wrong_password, bogus_refresh, bogus_bearer,
                                     std::string(kTestJwtSecret)});

  note("GET /", client.get("/"));
  note("GET /health", client.get("/health"));
  note("GET /openapi.json", client.get("/openapi.json"));
  note("GET /docs", client.get("/docs"));
  note("GET /docs/swagger-ui.css", client.get("/docs/swagger-ui.css"));

  Response r = note("POST /auth/register",
                    client.post("/auth/register", {{"email", email}, {"password", password}}));
  add_tokens(r);
  // Same email again (409), a too-short password and a malformed body that holds the password.
  note("POST /auth/register dup",
       client.post("/auth/register", {{"email", email}, {"password", password}}));
  note("POST /auth/register short",
       client.post("/auth/register", {{"email", unique_email("h")}, {"password", "x"}}));
  note("POST /auth/login broken",
       client.request("POST", "/auth/login", {}, "{\"password\": \"" + password + "\""));

  r = note("POST /auth/login",
           client.post("/auth/login", {{"email", email}, {"password", password}}));
  add_tokens(r);
  const std::string access = r.json().value("access_token", "");
  const std::string refresh = r.json().value("refresh_token", "");
  note("POST /auth/login wrong",
       client.post("/auth/login", {{"email", email}, {"password", wrong_password}}));
  note("POST /auth/login unknown", client.post("/auth/login", {{"email", unique_email("nobody")},
                                                               {"password", wrong_password}}));

  note("GET /auth/me", client.get("/auth/me", bearer(access)));
  note("GET /auth/me bogus", client.get("/auth/me", bearer(bogus_bearer)));
  note("GET /auth/me basic",
       client.get("/auth/me", {{"Authorization", "Basic " + distinctive("dXNlcjpwYXNz")}}));
  s.secrets.push_back("Basic " + distinctive("dXNlcjpwYXNz"));

  r = note("POST /data", client.post("/data", {{"title", "t"}, {"content", "c"}}, bearer(access)));
  const std::string id = r.json().value("id", "");
  note("GET /data", client.get("/data?limit=5&offset=0", bearer(access)));
  note("GET /data/{id}", client.get("/data/" + id, bearer(access)));
  note("PUT /data/{id}", client.put("/data/" + id, {{"content", "c2"}}, bearer(access)));
  note("DELETE /data/{id}", client.del("/data/" + id, bearer(access)));
  note("GET /data/{id} gone", client.get("/data/" + id, bearer(access)));

  r = note("POST /auth/refresh", client.post("/auth/refresh", {{"refresh_token", refresh}}));
  add_tokens(r);
  const std::string new_access = r.json().value("access_token", "");
  // Reusing the rotated-out token and a made-up one are the failure paths.
  note("POST /auth/refresh reuse", client.post("/auth/refresh", {{"refresh_token", refresh}}));
  note("POST /auth/refresh bogus",
       client.post("/auth/refresh", {{"refresh_token", bogus_refresh}}));

  r = note("POST /auth/login again",
           client.post("/auth/login", {{"email", email}, {"password", password}}));
  add_tokens(r);
  const std::string last_access = r.json().value("access_token", "");
  note("POST /auth/logout", client.request("POST", "/auth/logout", bearer(last_access)));
  note("GET /auth/me after logout", client.get("/auth/me", bearer(last_access)));
  note("GET /nowhere", client.get("/nowhere", bearer(new_access)));
  return s;
}

class LogHygieneTest : public ::testing::TestWithParam<const char*> {};

TEST_P(LogHygieneTest, NoCredentialReachesTheLog) {
  std::string error;
  auto server =
      ServerProcess::start(ServeOptions().args({"--auth-rate-limit", "100000", "--log-format",
                                                GetParam(), "--log-level", "debug"}),
                           &error);
  ASSERT_TRUE(server) << error;
  const Session s = run_session(HttpClient(server->port()));
  const ExitStatus status = server->stop();  // flushes the log
  EXPECT_TRUE(status.exited && status.code == 0) << describe(status);
  const std::string log = server->captured_stderr();

  std::string trail;
  for (const auto& line : s.requests) trail += "  " + line + "\n";
  // The session really happened: registration, both logins and the refresh handed out tokens.
  ASSERT_GE(s.secrets.size(), 5u + 4 * 3) << trail;
  // Every request was logged, so a silent log cannot pass for a clean one.
  for (const char* path : {"/auth/register", "/auth/login", "/auth/refresh", "/auth/logout",
                           "/auth/me", "/data", "/docs", "/openapi.json", "/health"}) {
    EXPECT_NE(log.find(path), std::string::npos) << path << " is not in the log:\n" << log;
  }
  for (const auto& secret : s.secrets) {
    ASSERT_FALSE(secret.empty());
    const size_t at = log.find(secret);
    EXPECT_EQ(at, std::string::npos)
        << "the " << GetParam() << " log contains a credential: " << secret
        << "\nin: " << log.substr(log.rfind('\n', at) + 1, 300) << "\nrequests:\n"
        << trail;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, LogHygieneTest, ::testing::Values("text", "json"));

}  // namespace
}  // namespace latchkey::test
