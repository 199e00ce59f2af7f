// GET / and GET /health.
#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(HealthTest, both);

class HealthTest : public ApiTest {};

TEST_F(HealthTest, RootSaysTheServerIsRunning) {
  const Response r = client().get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.body;
  ASSERT_TRUE(j.contains("message") && j["message"].is_string()) << r.body;
  const std::string message = j["message"];
  constexpr std::string_view kSuffix = " is running!";
  ASSERT_GT(message.size(), kSuffix.size()) << message;
  EXPECT_EQ(message.substr(message.size() - kSuffix.size()), kSuffix) << message;
  EXPECT_NE(r.header("Content-Type").value_or("").find("application/json"), std::string::npos);
}

TEST_F(HealthTest, HealthReportsHealthyWithServiceName) {
  const Response r = client().get("/health");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j.value("status", ""), "healthy") << r.body;
  ASSERT_TRUE(j.contains("service") && j["service"].is_string()) << r.body;
  EXPECT_FALSE(j["service"].get<std::string>().empty());
}

TEST_F(HealthTest, HealthNeedsNoToken) {
  // Load balancers probe without credentials; a bad token must not turn health into a 401.
  const Response r = client().get("/health", bearer("not-a-token"));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HealthTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection c(client().port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    const Response r = c.request("GET", "/health");
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.body;
  }
}

}  // namespace
}  // namespace latchkey::test
