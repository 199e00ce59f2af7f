// Too many attempts -> 429 with Retry-After.
#include <unistd.h>

#include "test_support.hpp"

namespace latchkey::test {
namespace {

// The default limits, as a fresh install has them.
class RateLimitTest : public ApiTest {
 protected:
  static void SetUpTestSuite() { start_shared({}); }
};

TEST_F(RateLimitTest, RepeatedWrongPasswordsAreThrottled) {
  const Account a = new_account("bruteforce");
  ASSERT_TRUE(a.ok) << a.error;
  Response limited;
  int attempts = 0;
  for (; attempts < 60; ++attempts) {
    const Response r = client().post(
        "/auth/login",
        {{"email", a.email}, {"password", "wrong-guess-" + std::to_string(attempts)}});
    if (r.status == 429) {
      limited = r;
      break;
    }
    ASSERT_EQ(r.status, 401) << r.body;
  }
  ASSERT_EQ(limited.status, 429) << "no 429 after " << attempts << " wrong passwords";
  EXPECT_TRUE(IsErrorBody(limited, 429));
  const auto retry_after = limited.header("Retry-After");
  ASSERT_TRUE(retry_after) << "429 without Retry-After";
  EXPECT_FALSE(retry_after->empty());
  EXPECT_EQ(retry_after->find_first_not_of("0123456789"), std::string::npos) << *retry_after;
  EXPECT_GT(std::atoi(retry_after->c_str()), 0) << *retry_after;

  // While throttled the right password is refused too, or guessing would simply go on.
  const Response right =
      client().post("/auth/login", {{"email", a.email}, {"password", a.password}});
  EXPECT_EQ(right.status, 429) << right.body;
}

TEST_F(RateLimitTest, BackoffIsPerEmailAndCoversUnknownEmailsToo) {
  // Another account is not slowed by the attack above or by this one.
  const Account other = new_account("bystander");
  ASSERT_TRUE(other.ok) << other.error;
  const std::string ghost = "nobody-" + std::to_string(::getpid()) + "@example.com";
  Response r;
  for (int i = 0; i < 10 && r.status != 429; ++i) {
    r = client().post("/auth/login", {{"email", ghost}, {"password", "whatever-123"}});
  }
  EXPECT_EQ(r.status, 429) << "unknown emails must back off like known ones";
  const Response ok =
      client().post("/auth/login", {{"email", other.email}, {"password", other.password}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

class AddressLimitTest : public ApiTest {
 protected:
  static void SetUpTestSuite() { start_shared(ServeOptions().args({"--auth-rate-limit", "3"})); }
};

TEST_F(AddressLimitTest, CredentialRoutesShareAPerAddressBudget) {
  // Three attempts of any kind, then 429 for register, login and refresh alike.
  EXPECT_TRUE(new_account("addr-1").ok);
  for (int i = 0; i < 2; ++i) {
    const Response r =
        client().post("/auth/login", {{"email", "x@example.com"}, {"password", "12345678"}});
    EXPECT_EQ(r.status, 401) << r.body;
  }
  for (const char* path : {"/auth/register", "/auth/login"}) {
    const Response r =
        client().post(path, {{"email", "y@example.com"}, {"password", "long enough"}});
    EXPECT_EQ(r.status, 429) << path << " " << r.body;
    EXPECT_TRUE(r.header("Retry-After")) << path;
  }
  const Response refresh = client().post("/auth/refresh", {{"refresh_token", "abc"}});
  EXPECT_EQ(refresh.status, 429) << refresh.body;
  // Other routes are not affected.
  EXPECT_EQ(client().get("/health").status, 200);
}

Response login_from(const HttpClient& c, const std::string& forwarded_for) {
  return c.post("/auth/login", {{"email", "x@example.com"}, {"password", "12345678"}},
                {{"X-Forwarded-For", forwarded_for}});
}

TEST_F(AddressLimitTest, ForwardedForIsIgnoredFromUntrustedPeers) {
  // Without --trusted-proxies a client cannot dodge its limit by inventing addresses.
  Response r;
  for (int i = 0; i < 5 && r.status != 429; ++i)
    r = login_from(client(), "9.9.9." + std::to_string(i));
  EXPECT_EQ(r.status, 429);
}

class TrustedProxyTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    start_shared(ServeOptions().args({"--auth-rate-limit", "2", "--trusted-proxies", "127.0.0.1"}));
  }
};

TEST_F(TrustedProxyTest, LimitsFollowTheForwardedClientAddress) {
  EXPECT_EQ(login_from(client(), "1.1.1.1").status, 401);
  EXPECT_EQ(login_from(client(), "6.6.6.6, 1.1.1.1").status, 401);  // the proxy's hop is last
  EXPECT_EQ(login_from(client(), "1.1.1.1").status, 429);
  EXPECT_EQ(login_from(client(), "2.2.2.2").status, 401) << "another client has its own budget";
}

}  // namespace
}  // namespace latchkey::test
