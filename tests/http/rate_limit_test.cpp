// Too many attempts -> 429 with Retry-After.
#include "test_support.hpp"

namespace latchkey::test {
namespace {

class RateLimitTest : public ApiTest {};

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

}  // namespace
}  // namespace latchkey::test
