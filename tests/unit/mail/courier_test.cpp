// The courier over a real (SQLite) outbox with a scripted sender and a FixedClock: delivery,
// retries with a doubling wait, permanent refusals and the last try.
#include <gtest/gtest.h>

#include <deque>

#include "mail/courier.hpp"
#include "support/services.hpp"

namespace latchkey::mail {
namespace {

class ScriptedSender final : public MailSender {
 public:
  std::deque<SendResult> script;  // empty: success
  std::vector<std::string> sent_to, messages;
  SendResult send(std::string_view to, std::string_view message) override {
    sent_to.emplace_back(to);
    messages.emplace_back(message);
    if (script.empty()) return SendResult{true, false, {}};
    SendResult r = script.front();
    script.pop_front();
    return r;
  }
};

class CourierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const UserId id{core::Uuid::random_v4()};
    ASSERT_TRUE(s.db->users().create_user({id, "ada@example.com", "{}", "h"}, s.clock.now_us()));
    store::NewOneTimeToken t;
    t.user = id;
    t.email = "ada@example.com";
    t.link_hash = "l";
    t.code_hash = "c";
    t.expires_at = s.clock.now_us() + 3'600'000'000;
    ASSERT_TRUE(s.db->mail().issue(t, {"ada@example.com", "Subject", "code 123456", "<p>x</p>"},
                                   s.clock.now_us()));
  }
  CourierOptions options() const {
    CourierOptions o;
    o.from = "Acme <no-reply@acme.test>";
    o.max_attempts = 3;
    return o;
  }
  store::MailRecord only_mail() {
    auto all = s.db->mail().recent_mail(10);
    EXPECT_EQ(all.value().size(), 1u);
    return all.value().at(0);
  }
  void advance_s(int64_t seconds) { s.clock.advance_us(seconds * 1'000'000); }

  latchkey::testing::Services s;
  ScriptedSender sender;
};

TEST_F(CourierTest, DeliversAndForgetsTheBody) {
  Courier courier(s.db->mail(), sender, s.clock, options());
  EXPECT_EQ(courier.run_once(), 1);
  ASSERT_EQ(sender.sent_to, std::vector<std::string>{"ada@example.com"});
  EXPECT_NE(sender.messages[0].find("Subject: Subject\r\n"), std::string::npos);
  EXPECT_NE(sender.messages[0].find("From: Acme <no-reply@acme.test>"), std::string::npos);
  const auto m = only_mail();
  EXPECT_EQ(m.state, store::MailState::sent);
  EXPECT_EQ(m.text, "");
  EXPECT_EQ(courier.run_once(), 0) << "sent once";
}

TEST_F(CourierTest, RetriesWithADoublingWaitThenGivesUp) {
  Courier courier(s.db->mail(), sender, s.clock, options());
  sender.script = {{false, false, "421 busy"}, {false, false, "connection refused"},
                   {false, false, "421 busy"}};
  EXPECT_EQ(courier.run_once(), 1);
  EXPECT_EQ(only_mail().last_error, "421 busy");
  advance_s(29);
  EXPECT_EQ(courier.run_once(), 0) << "first retry after 30 s";
  advance_s(1);
  EXPECT_EQ(courier.run_once(), 1);
  advance_s(59);
  EXPECT_EQ(courier.run_once(), 0) << "then after 60 s";
  advance_s(1);
  EXPECT_EQ(courier.run_once(), 1) << "the third and last try";
  const auto m = only_mail();
  EXPECT_EQ(m.state, store::MailState::dead);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(m.text, "");
  advance_s(3600);
  EXPECT_EQ(courier.run_once(), 0);
}

TEST_F(CourierTest, ARetryCanSucceed) {
  Courier courier(s.db->mail(), sender, s.clock, options());
  sender.script = {{false, false, "421 busy"}};
  EXPECT_EQ(courier.run_once(), 1);
  advance_s(30);
  EXPECT_EQ(courier.run_once(), 1);
  EXPECT_EQ(only_mail().state, store::MailState::sent);
}

TEST(CourierRetry, WaitsDoubleUpToTheCapAndEndAtTheLastTry) {
  latchkey::testing::Services s;
  ScriptedSender sender;
  CourierOptions o;
  o.max_attempts = 20;
  Courier c(s.db->mail(), sender, s.clock, o);
  const core::Micros t = 1'000'000'000;
  EXPECT_EQ(c.retry_at(1, t), t + 30'000'000);
  EXPECT_EQ(c.retry_at(2, t), t + 60'000'000);
  EXPECT_EQ(c.retry_at(4, t), t + 240'000'000);
  EXPECT_EQ(c.retry_at(12, t), t + 3'600'000'000) << "capped at an hour";
  EXPECT_EQ(c.retry_at(19, t), t + 3'600'000'000);
  EXPECT_EQ(c.retry_at(20, t), std::nullopt);
}

TEST_F(CourierTest, APermanentRefusalIsNotRetried) {
  Courier courier(s.db->mail(), sender, s.clock, options());
  sender.script = {{false, true, "550 no such user"}};
  EXPECT_EQ(courier.run_once(), 1);
  EXPECT_EQ(only_mail().state, store::MailState::dead);
  EXPECT_EQ(only_mail().last_error, "550 no such user");
}

TEST_F(CourierTest, TheThreadSendsAtStartAndWhenWoken) {
  CourierOptions o = options();
  o.poll = std::chrono::hours(1);  // only the first round and wake() can send
  Courier courier(s.db->mail(), sender, s.clock, o);
  auto sent = [&](size_t n) {
    for (int i = 0; i < 500; ++i) {  // bounded: 5 s
      auto all = s.db->mail().recent_mail(10).value();
      size_t done = 0;
      for (const auto& m : all) done += m.state == store::MailState::sent;
      if (done >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  courier.start();
  EXPECT_TRUE(sent(1)) << "the first round runs at start";
  store::NewOneTimeToken t;
  t.user = s.db->users().find_user_by_email("ada@example.com").value().id;
  t.purpose = store::TokenPurpose::recovery;
  t.email = "ada@example.com";
  t.link_hash = "l2";
  t.code_hash = "c2";
  t.expires_at = s.clock.now_us() + 3'600'000'000;
  ASSERT_TRUE(s.db->mail().issue(t, {"ada@example.com", "Again", "x", "y"}, s.clock.now_us()));
  courier.wake();
  EXPECT_TRUE(sent(2)) << "woken long before the next poll";
  courier.stop();
}

}  // namespace
}  // namespace latchkey::mail
