// AuthService over a temporary SQLite store, with a FixedClock, a seeded random source and a
// counting fake hasher: no sockets, no sleeps.
#include "auth/auth_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/base64url.hpp"
#include "support/services.hpp"

namespace latchkey::auth {
namespace {

using testing::Services;

constexpr core::Micros kSecond = 1'000'000;

AuthOptions options() {
  AuthOptions o;
  o.access_ttl_s = 60;
  o.refresh_ttl_s = 3600;
  o.login_backoff = {3, 60};  // three free failures, then at most 60 s between attempts
  return o;
}

AuthResult registered(Services& s, const std::string& email, const std::string& password) {
  auto r = s.auth->register_hashed(email, s.auth->hash_password(password), "{}", {});
  if (!r) throw std::runtime_error("register failed: " + r.error().detail);
  return std::move(r).value();
}

TEST(AuthServiceTest, UnknownEmailCostsOneVerificationLikeAWrongPassword) {
  Services s(options());
  registered(s, "a@example.com", "right-password");
  const int before = s.hasher.verifications;
  auto unknown = s.auth->check_credentials("nobody@example.com", "whatever1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().public_code, ErrorCode::invalid_credentials);
  EXPECT_EQ(s.hasher.verifications - before, 1) << "the dummy hash was not verified";
  auto wrong = s.auth->check_credentials("a@example.com", "wrong-password");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().public_code, ErrorCode::invalid_credentials);
  EXPECT_EQ(wrong.error().public_message(), unknown.error().public_message());
  EXPECT_EQ(s.hasher.verifications - before, 2);
}

TEST(AuthServiceTest, BackoffStopsGuessesBeforeAnyHashingUntilTheClockMoves) {
  Services s(options());
  registered(s, "b@example.com", "right-password");
  // Three free failures, and the fourth (which starts the wait) still gets checked.
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(s.auth->check_credentials("b@example.com", "guess").error().public_code,
              ErrorCode::invalid_credentials)
        << i;
  const int verified = s.hasher.verifications;
  auto throttled = s.auth->check_credentials("b@example.com", "right-password");
  ASSERT_FALSE(throttled) << "the right password must wait out the backoff too";
  EXPECT_EQ(throttled.error().public_code, ErrorCode::over_login_rate_limit);
  EXPECT_GT(throttled.error().retry_after_s, 0);
  EXPECT_EQ(s.hasher.verifications, verified) << "a throttled guess was hashed";
  EXPECT_EQ(s.auth->check_credentials("B@Example.com", "x").error().public_code,
            ErrorCode::over_login_rate_limit)
      << "the key is the folded email";

  s.clock.advance_us((throttled.error().retry_after_s + 1) * kSecond);
  ASSERT_TRUE(s.auth->check_credentials("b@example.com", "right-password"));
  // A success clears the failures: the same allowance again.
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(s.auth->check_credentials("b@example.com", "guess").error().public_code,
              ErrorCode::invalid_credentials)
        << i;
}

TEST(AuthServiceTest, LoginRehashesAHashMadeWithOlderParameters) {
  Services s(options());
  const auto user = registered(s, "c@example.com", "right-password").user;
  EXPECT_EQ(s.db->users().find_user(user.id)->password_hash.rfind("fake$1$", 0), 0u);
  s.hasher.raise_cost(2);
  ASSERT_TRUE(s.auth->check_credentials("c@example.com", "right-password"));
  EXPECT_EQ(s.db->users().find_user(user.id)->password_hash.rfind("fake$2$", 0), 0u)
      << "the stored hash was not upgraded";
  EXPECT_TRUE(s.auth->check_credentials("c@example.com", "right-password"));
}

TEST(AuthServiceTest, AReplayedRefreshTokenRevokesTheWholeSession) {
  Services s(options());
  const auto first = registered(s, "d@example.com", "right-password");
  auto second = s.auth->refresh(first.tokens.refresh_token, {});
  ASSERT_TRUE(second);
  EXPECT_NE(second->tokens.refresh_token, first.tokens.refresh_token);

  auto replay = s.auth->refresh(first.tokens.refresh_token, {});
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().public_code, ErrorCode::refresh_token_already_used);
  auto latest = s.auth->refresh(second->tokens.refresh_token, {});
  ASSERT_FALSE(latest) << "the thief's or the client's copy: both must die";
  EXPECT_EQ(latest.error().public_code, ErrorCode::refresh_token_not_found);
  auto principal = s.auth->verify_access_token(second->tokens.access_token);
  ASSERT_TRUE(principal) << "the signature alone is still fine";
  EXPECT_EQ(s.auth->check_session(*principal).error().public_code, ErrorCode::session_not_found);
  EXPECT_EQ(s.auth->refresh("never-issued", {}).error().public_code,
            ErrorCode::refresh_token_not_found);
}

TEST(AuthServiceTest, WithinTheReuseIntervalAReplayGetsTheLiveTokenAndAFreshAccessToken) {
  auto o = options();
  o.refresh_reuse_interval_s = 10;
  Services s(o);
  const auto first = registered(s, "d2@example.com", "right-password");
  auto tab_a = s.auth->refresh(first.tokens.refresh_token, {});
  ASSERT_TRUE(tab_a);

  s.clock.advance_us(10 * kSecond);  // the interval's last instant
  auto tab_b = s.auth->refresh(first.tokens.refresh_token, {});
  ASSERT_TRUE(tab_b) << tab_b.error().detail;
  EXPECT_EQ(tab_b->tokens.refresh_token, tab_a->tokens.refresh_token)
      << "both tabs hold the session's one live token";
  EXPECT_NE(tab_b->tokens.access_token, tab_a->tokens.access_token) << "a fresh access token";
  auto principal = s.auth->verify_access_token(tab_b->tokens.access_token);
  ASSERT_TRUE(principal);
  EXPECT_TRUE(s.auth->check_session(*principal));

  auto next = s.auth->refresh(tab_b->tokens.refresh_token, {});
  ASSERT_TRUE(next) << "the live token still rotates";
  // Past the interval (measured from when the token was spent), a replay is theft again.
  s.clock.advance_us(11 * kSecond);
  auto late = s.auth->refresh(tab_a->tokens.refresh_token, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().public_code, ErrorCode::refresh_token_already_used);
  EXPECT_FALSE(s.auth->refresh(next->tokens.refresh_token, {})) << "the session is revoked";
}

TEST(AuthServiceTest, ReuseIntervalZeroKeepsEveryReplayFatal) {
  Services s(options());
  const auto first = registered(s, "d3@example.com", "right-password");
  ASSERT_TRUE(s.auth->refresh(first.tokens.refresh_token, {}));
  auto replay = s.auth->refresh(first.tokens.refresh_token, {});  // same instant
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().public_code, ErrorCode::refresh_token_already_used);
}

TEST(AuthServiceTest, AccessTokensExpireWithTheClockAndRefreshOutlivesThem) {
  Services s(options());
  const auto r = registered(s, "e@example.com", "right-password");
  ASSERT_TRUE(s.auth->verify_access_token(r.tokens.access_token));
  // access_ttl 60 s plus the codec's default leeway of 30 s.
  s.clock.advance_us(89 * kSecond);
  EXPECT_TRUE(s.auth->verify_access_token(r.tokens.access_token)) << "inside the leeway";
  s.clock.advance_us(2 * kSecond);
  auto expired = s.auth->verify_access_token(r.tokens.access_token);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().public_code, ErrorCode::token_expired);
  EXPECT_EQ(expired.error().code, Errc::unauthenticated);

  auto renewed = s.auth->refresh(r.tokens.refresh_token, {});
  ASSERT_TRUE(renewed) << "the refresh token outlives the access token";
  EXPECT_TRUE(s.auth->verify_access_token(renewed->tokens.access_token));

  // The session itself ends after refresh_ttl: its refresh token dies with it.
  s.clock.advance_us(3600 * kSecond);
  auto late = s.auth->refresh(renewed->tokens.refresh_token, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().public_code, ErrorCode::refresh_token_not_found);
}

TEST(AuthServiceTest, LogoutEndsTheSessionAtOnce) {
  Services s(options());
  const auto r = registered(s, "f@example.com", "right-password");
  const auto who = s.auth->verify_access_token(r.tokens.access_token).value();
  ASSERT_TRUE(s.auth->check_session(who));
  ASSERT_TRUE(s.auth->logout(who));
  EXPECT_EQ(s.auth->check_session(who).error().public_code, ErrorCode::session_not_found);
  EXPECT_FALSE(s.auth->refresh(r.tokens.refresh_token, {}));
}

TEST(AuthServiceTest, SessionsListTheirDeviceAndOnlyTheOwnerRevokesThem) {
  Services s(options());
  const auto phone = registered(s, "h@example.com", "right-password");
  const auto me = s.auth->verify_access_token(phone.tokens.access_token).value();
  s.clock.advance_us(5 * kSecond);
  auto laptop = s.auth->open_session(phone.user, SignInMethod::otp,
                                     describe_client("2001:db8::1", "Firefox/128"));
  ASSERT_TRUE(laptop);
  const auto laptop_who = s.auth->verify_access_token(laptop->tokens.access_token).value();
  const auto other = registered(s, "i@example.com", "right-password");
  const auto stranger = s.auth->verify_access_token(other.tokens.access_token).value();

  auto listed = s.auth->list_sessions(me);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(0).id, laptop_who.session_id) << "the most recently used first";
  EXPECT_EQ(listed->at(0).sign_in_method, "otp");
  EXPECT_EQ(listed->at(0).client.ip, "2001:db8::1");
  EXPECT_EQ(listed->at(0).client.user_agent, "Firefox/128");
  EXPECT_EQ(listed->at(1).id, me.session_id);

  auto refused = s.auth->revoke_session(stranger, laptop_who.session_id);
  ASSERT_FALSE(refused) << "another user's session";
  EXPECT_EQ(refused.error().code, Errc::not_found);
  EXPECT_TRUE(s.auth->check_session(laptop_who));
  ASSERT_TRUE(s.auth->revoke_session(me, laptop_who.session_id));
  EXPECT_EQ(s.auth->check_session(laptop_who).error().public_code, ErrorCode::session_not_found);
  EXPECT_TRUE(s.auth->check_session(me)) << "the caller's own session stays";
  EXPECT_EQ(s.auth->list_sessions(me)->size(), 1u);
}

TEST(AuthServiceTest, ARefreshedTokenKeepsHowTheSessionWasSignedIn) {
  Services s(options());
  const auto r = registered(s, "j@example.com", "right-password");
  auto recovery = s.auth->open_session(r.user, SignInMethod::recovery, {});
  ASSERT_TRUE(recovery);
  s.clock.advance_us(120 * kSecond);
  auto renewed = s.auth->refresh(recovery->tokens.refresh_token, {});
  ASSERT_TRUE(renewed);
  ASSERT_TRUE(s.jwt.verify(renewed->tokens.access_token, s.clock.now_s()));
  const std::string& token = renewed->tokens.access_token;
  const size_t dot = token.find('.');
  auto payload =
      crypto::base64url_decode(token.substr(dot + 1, token.find('.', dot + 1) - dot - 1));
  ASSERT_TRUE(payload);
  const auto amr = nlohmann::json::parse(*payload)["amr"];
  EXPECT_EQ(amr, nlohmann::json::parse(R"([{"method":"recovery","timestamp":)" +
                                       std::to_string(testing::kStart / kSecond) + "}]"))
      << "how and when it signed in";
}

TEST(AuthServiceTest, AClientIsRecordedAsPrintableAsciiOfBoundedLength) {
  EXPECT_EQ(describe_client("192.0.2.1", "curl/8.0").user_agent, "curl/8.0");
  EXPECT_EQ(describe_client("192.0.2.1", "curl/8.0").ip, "192.0.2.1");
  EXPECT_EQ(describe_client("", std::string("a\x01"
                                            "b\nc\xff\xe2\x9c\x93",
                                            9))
                .user_agent,
            "a?b?c????");
  EXPECT_EQ(describe_client("", std::string(1000, 'x')).user_agent, std::string(256, 'x'));
}

TEST(AuthServiceTest, ATakenEmailIsUserAlreadyExistsWhateverItsCase) {
  Services s(options());
  registered(s, "g@example.com", "right-password");
  auto again = s.auth->register_hashed("G@EXAMPLE.com", s.auth->hash_password("x"), "{}", {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().public_code, ErrorCode::user_already_exists);
  EXPECT_EQ(again.error().code, Errc::conflict);
}

TEST(AuthServiceTest, ClientBudgetIsPerAddressAndRefillsWithTheClock) {
  AuthOptions o = options();
  o.client_attempts = {2, 60};  // two at once, one more per 30 s
  Services s(o);
  EXPECT_TRUE(s.auth->admit_client("192.0.2.1"));
  EXPECT_TRUE(s.auth->admit_client("192.0.2.1"));
  auto limited = s.auth->admit_client("192.0.2.1");
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().public_code, ErrorCode::over_request_rate_limit);
  EXPECT_TRUE(s.auth->admit_client("192.0.2.2")) << "another address has its own budget";
  s.clock.advance_us(limited.error().retry_after_s * kSecond);
  EXPECT_TRUE(s.auth->admit_client("192.0.2.1"));
}

TEST(AuthServiceTest, IdsAndTokensComeFromTheInjectedRandomSource) {
  Services a(options(), 7), b(options(), 7), c(options(), 8);
  const auto ra = registered(a, "h@example.com", "right-password");
  const auto rb = registered(b, "h@example.com", "right-password");
  const auto rc = registered(c, "h@example.com", "right-password");
  EXPECT_EQ(ra.user.id, rb.user.id);
  EXPECT_EQ(ra.tokens.refresh_token, rb.tokens.refresh_token);
  EXPECT_NE(ra.user.id, rc.user.id);
  EXPECT_NE(ra.tokens.refresh_token, rc.tokens.refresh_token);
}

}  // namespace
}  // namespace latchkey::auth
