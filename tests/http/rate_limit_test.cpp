// Too many attempts -> 429 with Retry-After.
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(RateLimitTest, both);
LATCHKEY_SUITE_BACKENDS(LoginRaceTest, both);
LATCHKEY_SUITE_BACKENDS(AddressLimitTest, both);
LATCHKEY_SUITE_BACKENDS(MailAddressLimitTest, both);

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

// Per-address limits off (ApiTest's default), the login backoff as configured by default.
class LoginRaceTest : public ApiTest {};

// Issue 8: the backoff was checked before hashing and the failure recorded after it, so 24
// concurrent wrong passwords got 13 real password checks where 6 sequential ones are allowed.
TEST_F(LoginRaceTest, ConcurrentWrongPasswordsGetNoMoreChecksThanSequentialOnes) {
  const Account a = new_account("race");
  ASSERT_TRUE(a.ok) << a.error;
  std::vector<int> statuses(24);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = client()
                        .post("/auth/login", {{"email", a.email},
                                              {"password", "wrong-guess-" + std::to_string(i)}})
                        .status;
    });
  }
  for (auto& t : threads) t.join();
  const auto checked = std::count(statuses.begin(), statuses.end(), 401);
  const auto throttled = std::count(statuses.begin(), statuses.end(), 429);
  EXPECT_EQ(checked, 6) << "5 free failures, then one more attempt";
  EXPECT_EQ(checked + throttled, 24);
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

// The mail routes draw on the same per-address budget: they send mail or test a 6-digit code.
class MailAddressLimitTest : public ApiTest {
 protected:
  static void SetUpTestSuite() { start_shared(ServeOptions().args({"--auth-rate-limit", "3"})); }
};

TEST_F(MailAddressLimitTest, MailRoutesShareThePerAddressBudget) {
  const std::string key = test_api_key("anon");
  const Headers h = {{"apikey", key}, {"Authorization", "Bearer " + key}};
  EXPECT_EQ(client().post("/auth/v1/recover", {{"email", "a@example.com"}}, h).status, 200);
  EXPECT_EQ(client().post("/auth/recover", {{"email", "b@example.com"}}).status, 202);
  EXPECT_EQ(client()
                .post("/auth/v1/verify",
                      {{"type", "signup"}, {"email", "c@example.com"}, {"token", "123456"}}, h)
                .status,
            403);
  const Response otp = client().post("/auth/v1/otp", {{"email", "d@example.com"}}, h);
  EXPECT_EQ(otp.status, 429) << otp.body;
  EXPECT_EQ(otp.json()["code"], "over_request_rate_limit") << otp.body;
  EXPECT_EQ(
      client().post("/auth/v1/resend", {{"type", "signup"}, {"email", "e@example.com"}}, h).status,
      429);
  EXPECT_EQ(client()
                .post("/auth/verify",
                      {{"type", "signup"}, {"email", "f@example.com"}, {"code", "123456"}})
                .status,
            429);
  EXPECT_EQ(
      client()
          .post("/auth/reset-password",
                {{"email", "g@example.com"}, {"code", "123456"}, {"new_password", "long enough"}})
          .status,
      429);
  const Response link = client().get("/auth/v1/verify?token=x&type=signup");
  EXPECT_EQ(link.status, 303);
  EXPECT_NE(link.header("Location").value_or("").find("error_code=over_request_rate_limit"),
            std::string::npos);
}

Response login_from(const HttpClient& c, const std::string& forwarded_for,
                    const std::string& email = "x@example.com") {
  return c.post("/auth/login", {{"email", email}, {"password", "12345678"}},
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

// Issue 8: HAProxy's `option forwardfor` appends its own X-Forwarded-For line after the one
// the client sent; reading only the first line let each request pick a fresh address.
TEST_F(TrustedProxyTest, EveryForwardedForLineCounts) {
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = client().post("/auth/refresh", {{"refresh_token", "x"}},
                           {{"X-Forwarded-For", "10.7.0." + std::to_string(i)},
                            {"X-Forwarded-For", "203.0.113.9"}});
    if (r.status == 429) ++limited;
  }
  EXPECT_EQ(limited, 8) << "the client is the last line's address, with a budget of 2";
}

// Issue 8: an IPv6 host holds a whole /64; counting full addresses gave it 2^64 budgets.
TEST_F(TrustedProxyTest, IPv6ClientsShareTheBudgetOfTheirSlash64) {
  const auto email = unique_email("ipv6");  // its own login backoff
  EXPECT_EQ(login_from(client(), "2001:db8:5:6::1", email).status, 401);
  EXPECT_EQ(login_from(client(), "2001:db8:5:6:aaaa:bbbb:cccc:2", email).status, 401);
  EXPECT_EQ(login_from(client(), "2001:db8:5:6::3", email).status, 429);
  EXPECT_EQ(login_from(client(), "2001:db8:5:7::1", email).status, 401)
      << "the next /64 is another client";
}

}  // namespace
}  // namespace latchkey::test
