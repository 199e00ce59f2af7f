// CORS: preflight answers, the default (any origin, no credentials) and --cors-origins.
#include <algorithm>
#include <cctype>

#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(CorsTest, both);
LATCHKEY_SUITE_BACKENDS(CorsRestrictedTest, both);

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Whether a comma-separated header value lists `token` (case-insensitive) or is "*".
bool lists(const std::optional<std::string>& value, std::string_view token, bool star_ok) {
  if (!value) return false;
  const std::string v = lower(*value);
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t end = v.find(',', pos);
    if (end == std::string::npos) end = v.size();
    std::string item = v.substr(pos, end - pos);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item == lower(std::string(token)) || (star_ok && item == "*")) return true;
    pos = end + 1;
  }
  return false;
}

Response preflight(const HttpClient& client, const std::string& path, const std::string& origin,
                   const std::string& method) {
  return client.request("OPTIONS", path,
                        {{"Origin", origin},
                         {"Access-Control-Request-Method", method},
                         {"Access-Control-Request-Headers", "authorization, content-type"}});
}

class CorsTest : public ApiTest {};

TEST_F(CorsTest, PreflightIsAnsweredForAnyOrigin) {
  for (const auto& [path, method] : std::vector<std::pair<std::string, std::string>>{
           {"/data", "POST"},
           {"/data/00000000-0000-4000-8000-000000000000", "PUT"},
           {"/data/00000000-0000-4000-8000-000000000000", "DELETE"},
           {"/auth/login", "POST"},
           {"/auth/me", "GET"}}) {
    const Response r = preflight(client(), path, "https://app.example.com", method);
    EXPECT_TRUE(r.status == 204 || r.status == 200) << path << " " << r.status << " " << r.body;
    const auto origin = r.header("Access-Control-Allow-Origin");
    EXPECT_TRUE(origin == "*" || origin == "https://app.example.com")
        << path << ": " << origin.value_or("<absent>");
    EXPECT_TRUE(lists(r.header("Access-Control-Allow-Methods"), method, true))
        << path << ": " << r.header("Access-Control-Allow-Methods").value_or("<absent>");
    // A "*" in Allow-Headers does not cover Authorization (Fetch standard), so it must be named.
    EXPECT_TRUE(lists(r.header("Access-Control-Allow-Headers"), "authorization", false))
        << path << ": " << r.header("Access-Control-Allow-Headers").value_or("<absent>");
    EXPECT_TRUE(lists(r.header("Access-Control-Allow-Headers"), "content-type", true))
        << path << ": " << r.header("Access-Control-Allow-Headers").value_or("<absent>");
  }
}

TEST_F(CorsTest, DefaultAllowsNoCredentials) {
  const Response r = preflight(client(), "/data", "https://app.example.com", "GET");
  const auto credentials = r.header("Access-Control-Allow-Credentials");
  EXPECT_TRUE(!credentials || lower(*credentials) != "true") << *credentials;
  const Response get = client().get("/health", {{"Origin", "https://app.example.com"}});
  const auto get_credentials = get.header("Access-Control-Allow-Credentials");
  EXPECT_TRUE(!get_credentials || lower(*get_credentials) != "true") << *get_credentials;
}

TEST_F(CorsTest, PreflightNeedsNoToken) {
  // Browsers never send credentials on a preflight, so it cannot be a 401.
  const Response r = preflight(client(), "/auth/me", "https://app.example.com", "GET");
  EXPECT_NE(r.status, 401);
}

TEST_F(CorsTest, ActualResponsesCarryAllowOrigin) {
  const Account a = new_account("cors");
  ASSERT_TRUE(a.ok) << a.error;
  Headers headers = a.auth();
  headers.emplace_back("Origin", "https://app.example.com");
  for (const Response& r : {client().get("/health", {{"Origin", "https://app.example.com"}}),
                            client().get("/data", headers), client().get("/nope", headers),
                            client().get("/auth/me", {{"Origin", "https://app.example.com"}})}) {
    const auto origin = r.header("Access-Control-Allow-Origin");
    EXPECT_TRUE(origin == "*" || origin == "https://app.example.com")
        << r.status << ": " << origin.value_or("<absent>");
  }
}

class CorsRestrictedTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    start_shared(
        ServeOptions().args({"--cors-origins", "https://a.example,https://b.example:8443"}));
  }
};

TEST_F(CorsRestrictedTest, ListedOriginsAreEchoed) {
  for (const std::string origin : {"https://a.example", "https://b.example:8443"}) {
    const Response r = preflight(client(), "/data", origin, "POST");
    EXPECT_TRUE(r.status == 204 || r.status == 200) << r.status;
    EXPECT_EQ(r.header("Access-Control-Allow-Origin").value_or("<absent>"), origin);
    EXPECT_TRUE(lists(r.header("Access-Control-Allow-Methods"), "POST", true));
    const Response get = client().get("/health", {{"Origin", origin}});
    EXPECT_EQ(get.header("Access-Control-Allow-Origin").value_or("<absent>"), origin);
  }
}

TEST_F(CorsRestrictedTest, OtherOriginsGetNoAllowOrigin) {
  for (const std::string origin : {"https://evil.example", "https://a.example.evil.example",
                                   "http://a.example", "https://b.example", "null"}) {
    const Response r = preflight(client(), "/data", origin, "POST");
    const auto allowed = r.header("Access-Control-Allow-Origin");
    EXPECT_FALSE(allowed == "*" || allowed == origin) << origin << " got " << *allowed;
    const Response get = client().get("/health", {{"Origin", origin}});
    const auto get_allowed = get.header("Access-Control-Allow-Origin");
    EXPECT_FALSE(get_allowed == "*" || get_allowed == origin) << origin << " got " << *get_allowed;
    EXPECT_EQ(get.status, 200) << "CORS is enforced by the browser; the server still answers";
  }
}

}  // namespace
}  // namespace latchkey::test
