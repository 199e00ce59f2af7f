// AccountMail over the real SQLite store with a FixedClock: each flow queues one mail with a
// working code and link, answers alike for unknown addresses, limits sending per address,
// and verification gives a session once.
#include <gtest/gtest.h>

#include <regex>

#include "auth/account_mail.hpp"
#include "support/services.hpp"

namespace latchkey::auth {
namespace {

using store::TokenPurpose;

class AccountMailTest : public ::testing::Test {
 protected:
  AccountMailTest() : templates(mail::Templates::load().value()), codes("test-secret") {
    options.product = "Acme";
    options.external_url = "https://auth.example.com";
    options.site_url = "https://app.example.com";
    options.redirect_urls = {"https://app.example.com/welcome", "https://app.example.com/in/**"};
    flows = std::make_unique<AccountMail>(s.db->users(), s.db->mail(), s.db->attempts(), *s.auth,
                                          templates, codes, s.clock, s.random, options,
                                          [this] { ++woken; });
  }
  store::UserRecord user(const std::string& email, bool confirmed = true) {
    store::NewUser n{UserId{core::Uuid::random_v4()}, email, "{}", "hash"};
    if (confirmed) n.email_confirmed_at = s.clock.now_us();
    return s.db->users().create_user(n, s.clock.now_us()).value();
  }
  std::vector<store::MailRecord> mails() { return s.db->mail().recent_mail(100).value(); }
  // The code and the link token of the newest mail.
  std::pair<std::string, std::string> secrets() {
    const std::string text = mails().at(0).text;
    std::smatch code, token;
    EXPECT_TRUE(std::regex_search(text, code, std::regex("code: ([0-9]{6})"))) << text;
    EXPECT_TRUE(std::regex_search(text, token, std::regex("token=([A-Za-z0-9_-]+)&"))) << text;
    return {code.size() > 1 ? code[1].str() : "", token.size() > 1 ? token[1].str() : ""};
  }
  void pass_interval() { s.clock.advance_us(61'000'000); }

  latchkey::testing::Services s;
  mail::Templates templates;
  crypto::CodeHasher codes;
  AccountMailOptions options;
  std::unique_ptr<AccountMail> flows;
  int woken = 0;
};

TEST_F(AccountMailTest, RecoveryMailsACodeAndALinkThatEachGiveOneSession) {
  const auto ada = user("ada@example.com");
  ASSERT_TRUE(flows->recover("Ada@Example.com", "https://app.example.com/welcome"));
  ASSERT_EQ(mails().size(), 1u);
  EXPECT_EQ(mails()[0].to, "ada@example.com");
  EXPECT_EQ(mails()[0].kind, "recovery");
  EXPECT_EQ(woken, 1) << "the courier is woken";
  const auto [code, token] = secrets();
  EXPECT_NE(mails()[0].text.find("https://auth.example.com/auth/v1/verify?token="),
            std::string::npos);
  auto verified = flows->verify_code(TokenPurpose::recovery, "ada@example.com", code, {});
  ASSERT_TRUE(verified.has_value()) << verified.error().detail;
  EXPECT_EQ(verified->session.user.id, ada.id);
  EXPECT_EQ(verified->redirect_to, "https://app.example.com/welcome");
  EXPECT_FALSE(verified->session.tokens.access_token.empty());
  auto again = flows->verify_link(TokenPurpose::recovery, token, {});
  ASSERT_FALSE(again.has_value()) << "the code spent the link too";
  EXPECT_EQ(again.error().public_code, ErrorCode::otp_expired);
}

TEST_F(AccountMailTest, UnknownAddressesGetTheSameAnswerAndNoMail) {
  EXPECT_TRUE(flows->recover("ghost@example.com", ""));
  EXPECT_TRUE(flows->resend_confirmation("ghost@example.com", ""));
  EXPECT_TRUE(flows->send_sign_in("ghost@example.com", false, "{}", "x", ""));
  EXPECT_TRUE(mails().empty());
  // ...and the same limit: a second request at once is refused for a ghost too.
  auto twice = flows->recover("ghost@example.com", "");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().public_code, ErrorCode::over_email_send_rate_limit);
  EXPECT_GT(twice.error().retry_after_s, 0);
}

TEST_F(AccountMailTest, OneMailPerKindAndAddressPerInterval) {
  user("bob@example.com");
  ASSERT_TRUE(flows->recover("bob@example.com", ""));
  EXPECT_FALSE(flows->recover("bob@example.com", "").has_value());
  EXPECT_TRUE(flows->send_sign_in("bob@example.com", false, "{}", "x", "")) << "another kind";
  pass_interval();
  EXPECT_TRUE(flows->recover("bob@example.com", ""));
  EXPECT_EQ(mails().size(), 3u);
}

TEST_F(AccountMailTest, WrongCodesCountAndTheLastOneKillsTheToken) {
  user("cy@example.com");
  ASSERT_TRUE(flows->recover("cy@example.com", ""));
  const auto [code, token] = secrets();
  const std::string wrong = code == "000000" ? "000001" : "000000";
  for (int i = 0; i < options.max_code_attempts; ++i)
    EXPECT_FALSE(
        flows->verify_code(TokenPurpose::recovery, "cy@example.com", wrong, {}).has_value());
  EXPECT_FALSE(flows->verify_code(TokenPurpose::recovery, "cy@example.com", code, {}).has_value())
      << "dead after the allowed wrong codes";
}

TEST_F(AccountMailTest, SignUpConfirmationConfirmsTheAddress) {
  auto signed_up =
      flows->sign_up("Dee@example.com", "hash", R"({"a":1})", "https://evil.example.net/");
  ASSERT_TRUE(signed_up.has_value()) << signed_up.error().detail;
  EXPECT_FALSE(signed_up->existed);
  EXPECT_FALSE(signed_up->user.email_confirmed_at.has_value());
  EXPECT_EQ(mails().at(0).kind, "signup");
  const auto [code, token] = secrets();
  auto verified = flows->verify_link(TokenPurpose::signup, token, {});
  ASSERT_TRUE(verified.has_value()) << verified.error().detail;
  EXPECT_EQ(verified->session.user.id, signed_up->user.id);
  EXPECT_TRUE(verified->session.user.email_confirmed_at.has_value());
  EXPECT_EQ(verified->redirect_to, "https://app.example.com") << "not on the allow-list";
  pass_interval();
  ASSERT_TRUE(flows->resend_confirmation("dee@example.com", ""));
  EXPECT_EQ(mails().size(), 1u) << "a confirmed address gets no second confirmation";
}

TEST_F(AccountMailTest, SigningUpATakenAddressGivesADecoyAndResendsOnlyToTheUnconfirmed) {
  const auto fay = user("fay@example.com");
  auto again = flows->sign_up("fay@example.com", "hash", "{}", "");
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->existed);
  EXPECT_NE(again->user.id, fay.id) << "the real id is not given away";
  EXPECT_TRUE(mails().empty()) << "a confirmed user gets no mail";
  ASSERT_TRUE(flows->sign_up("gus@example.com", "hash", "{}", ""));
  pass_interval();
  auto twice = flows->sign_up("gus@example.com", "hash", "{}", "");
  ASSERT_TRUE(twice.has_value());
  EXPECT_TRUE(twice->existed);
  EXPECT_EQ(mails().size(), 2u) << "an unconfirmed user gets the confirmation again";
}

TEST_F(AccountMailTest, LookupsOfAnyAddressRunAfterTheAnswer) {
  std::vector<std::function<void()>> deferred;
  AccountMail deferring(s.db->users(), s.db->mail(), s.db->attempts(), *s.auth, templates, codes,
                        s.clock, s.random, options, {},
                        [&](std::function<void()> job) { deferred.push_back(std::move(job)); });
  user("hal@example.com");
  ASSERT_TRUE(deferring.recover("hal@example.com", ""));
  ASSERT_TRUE(deferring.recover("ghost@example.com", ""));
  EXPECT_TRUE(mails().empty()) << "nothing written before the answer";
  ASSERT_EQ(deferred.size(), 2u) << "known and unknown addresses take the same path";
  for (auto& job : deferred) job();
  ASSERT_EQ(mails().size(), 1u);
  EXPECT_EQ(mails()[0].to, "hal@example.com");
}

TEST_F(AccountMailTest, OtpCreatesAnUnconfirmedUserOnlyWhenAsked) {
  ASSERT_TRUE(flows->send_sign_in("new@example.com", true, R"({"plan":"free"})", "unusable", ""));
  auto created = s.db->users().find_user_by_email("new@example.com");
  ASSERT_TRUE(created.has_value());
  EXPECT_FALSE(created->email_confirmed_at.has_value());
  EXPECT_EQ(mails().at(0).kind, "signup");
  const auto [code, token] = secrets();
  auto verified = flows->verify_code(TokenPurpose::signup, "new@example.com", code, {});
  ASSERT_TRUE(verified.has_value());
  EXPECT_TRUE(verified->session.user.email_confirmed_at.has_value());
  pass_interval();
  ASSERT_TRUE(flows->send_sign_in("new@example.com", false, "{}", "x", ""));
  EXPECT_EQ(mails().at(0).kind, "magiclink") << "a confirmed user gets a magic link";
}

TEST_F(AccountMailTest, EmailChangeKeepsTheOldAddressUntilConfirmed) {
  const auto eve = user("eve@example.com");
  user("taken@example.com");
  const Principal who{eve.id, SessionId{core::Uuid::random_v4()}, eve.email};
  auto taken = flows->request_email_change(who, "taken@example.com", "");
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error().public_code, ErrorCode::email_exists);
  ASSERT_TRUE(flows->request_email_change(who, "Eve.New@example.com", ""));
  EXPECT_EQ(mails().at(0).to, "eve.new@example.com");
  EXPECT_EQ(s.db->users().find_user(eve.id)->email, "eve@example.com") << "not yet";
  const auto [code, token] = secrets();
  auto verified = flows->verify_code(TokenPurpose::email_change, "eve.new@example.com", code, {});
  ASSERT_TRUE(verified.has_value()) << verified.error().detail;
  EXPECT_EQ(s.db->users().find_user(eve.id)->email, "eve.new@example.com");
}

TEST_F(AccountMailTest, RedirectsOnlyToTheAllowList) {
  EXPECT_EQ(flows->allowed_redirect("https://app.example.com/welcome"),
            "https://app.example.com/welcome");
  EXPECT_EQ(flows->allowed_redirect("https://app.example.com/in/deep/link?x=1"),
            "https://app.example.com/in/deep/link?x=1");
  EXPECT_EQ(flows->allowed_redirect("https://app.example.com/welcome2"), "https://app.example.com");
  EXPECT_EQ(flows->allowed_redirect("https://app.example.com.evil.net/in/"),
            "https://app.example.com");
  EXPECT_EQ(flows->allowed_redirect(""), "https://app.example.com");
}

}  // namespace
}  // namespace latchkey::auth
