// MailStore on every backend: a token and its mail are written together, tokens are spent
// once (by link or code), wrong codes are counted, and the courier's claims, retries and
// dead letters.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "store_contract.hpp"

namespace latchkey::store::testing {
namespace {

constexpr core::Micros kMinute = 60'000'000;

NewOneTimeToken token_for(const UserRecord& u, TokenPurpose purpose, const std::string& tag,
                          core::Micros expires_at) {
  NewOneTimeToken t;
  t.user = u.id;
  t.purpose = purpose;
  t.email = u.email;
  t.link_hash = "link-" + tag;
  t.code_hash = "code-" + tag;
  t.redirect_to = "https://app.example.com/welcome";
  t.expires_at = expires_at;
  return t;
}

NewMail mail_to(const UserRecord& u, const std::string& tag) {
  return NewMail{u.email, "Subject " + tag, "text with code " + tag, "<p>html " + tag + "</p>"};
}

}  // namespace

TEST_P(StoreContract, IssuedTokenAndItsMailAreStoredTogether) {
  const auto alice = add_user("mailissue");
  auto t = store().mail().issue(token_for(alice, TokenPurpose::signup, "a", kT0 + kHour),
                                mail_to(alice, "a"), kT0);
  ASSERT_TRUE(t.has_value()) << t.error().detail;
  EXPECT_EQ(t->user, alice.id);
  EXPECT_EQ(t->purpose, TokenPurpose::signup);
  EXPECT_EQ(t->created_at, kT0);
  auto mails = store().mail().recent_mail(10);
  ASSERT_TRUE(mails.has_value()) << mails.error().detail;
  ASSERT_EQ(mails->size(), 1u);
  const MailRecord& m = (*mails)[0];
  EXPECT_EQ(m.kind, "signup");
  EXPECT_EQ(m.to, alice.email);
  EXPECT_EQ(m.subject, "Subject a");
  EXPECT_EQ(m.text, "text with code a");
  EXPECT_EQ(m.html, "<p>html a</p>");
  EXPECT_EQ(m.state, MailState::pending);
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.created_at, kT0);
  EXPECT_EQ(m.next_attempt_at, kT0);
  EXPECT_EQ(store().mail().last_mail_at(alice.email, "signup").value(), kT0);
  EXPECT_EQ(store().mail().last_mail_at(alice.email, "recovery").value(), std::nullopt);
  EXPECT_EQ(store().mail().mails_queued_since(kT0).value(), 1);
  EXPECT_EQ(store().mail().mails_queued_since(kT0 + 1).value(), 0);

  // A token that cannot be stored (its link hash is taken) queues no mail either.
  auto dup = store().mail().issue(token_for(alice, TokenPurpose::recovery, "a", kT0 + kHour),
                                  mail_to(alice, "dup"), kT0 + 1);
  EXPECT_FALSE(dup.has_value());
  EXPECT_EQ(store().mail().recent_mail(10)->size(), 1u);
}

TEST_P(StoreContract, ALinkIsSpentOnceAndOnlyForItsPurposeAndTime) {
  const auto alice = add_user("maillink");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::recovery, "r", kT0 + kHour),
                                   mail_to(alice, "r"), kT0));
  auto wrong_purpose = store().mail().redeem_link(TokenPurpose::signup, "link-r", kT0 + 1);
  ASSERT_FALSE(wrong_purpose.has_value());
  EXPECT_EQ(wrong_purpose.error().code, Errc::unauthenticated);
  auto late = store().mail().redeem_link(TokenPurpose::recovery, "link-r", kT0 + kHour);
  EXPECT_FALSE(late.has_value()) << "expired at expires_at";
  auto t = store().mail().redeem_link(TokenPurpose::recovery, "link-r", kT0 + 2);
  ASSERT_TRUE(t.has_value()) << t.error().detail;
  EXPECT_EQ(t->user, alice.id);
  EXPECT_EQ(t->email, alice.email);
  EXPECT_EQ(t->redirect_to, "https://app.example.com/welcome");
  EXPECT_EQ(t->expires_at, kT0 + kHour);
  EXPECT_FALSE(store().mail().redeem_link(TokenPurpose::recovery, "link-r", kT0 + 3).has_value())
      << "single use";
  EXPECT_FALSE(store().mail().redeem_code(TokenPurpose::recovery, alice.email, "code-r", 5, kT0 + 3)
                   .has_value())
      << "its code died with it";
}

TEST_P(StoreContract, OnlyTheNewestTokenOfAPurposeWorks) {
  const auto alice = add_user("mailnewest");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::magic_link, "old", kT0 + kHour),
                                   mail_to(alice, "old"), kT0));
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::signup, "other", kT0 + kHour),
                                   mail_to(alice, "other"), kT0 + 1));
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::magic_link, "new", kT0 + kHour),
                                   mail_to(alice, "new"), kT0 + 2));
  EXPECT_FALSE(store().mail().redeem_link(TokenPurpose::magic_link, "link-old", kT0 + 3).has_value());
  EXPECT_FALSE(store().mail().redeem_code(TokenPurpose::magic_link, alice.email, "code-old", 5,
                                          kT0 + 3).has_value());
  EXPECT_TRUE(store().mail().redeem_link(TokenPurpose::signup, "link-other", kT0 + 3).has_value())
      << "another purpose is untouched";
  EXPECT_TRUE(store().mail().redeem_code(TokenPurpose::magic_link, alice.email, "code-new", 5,
                                         kT0 + 3).has_value());
  EXPECT_EQ(store().mail().recent_mail(10)->size(), 3u) << "every mail stays queued";
}

TEST_P(StoreContract, WrongCodesAreCountedUntilTheTokenDies) {
  const auto alice = add_user("mailcode");
  const auto bob = add_user("mailcodebob");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::signup, "s", kT0 + kHour),
                                   mail_to(alice, "s"), kT0));
  ASSERT_TRUE(store().mail().issue(token_for(bob, TokenPurpose::signup, "b", kT0 + kHour),
                                   mail_to(bob, "b"), kT0));
  EXPECT_FALSE(store().mail().redeem_code(TokenPurpose::signup, alice.email, "code-b", 3, kT0 + 1)
                   .has_value())
      << "another user's code";
  auto second = store().mail().redeem_code(TokenPurpose::signup, alice.email, "nope", 3, kT0 + 2);
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().detail, kTokenExhausted);
  auto third = store().mail().redeem_code(TokenPurpose::signup, alice.email, "nope", 3, kT0 + 3);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, Errc::unauthenticated);
  EXPECT_EQ(third.error().detail, kTokenExhausted) << "the third wrong code is the last";
  EXPECT_FALSE(store().mail().redeem_code(TokenPurpose::signup, alice.email, "code-s", 3, kT0 + 4)
                   .has_value())
      << "the right code no longer works";
  EXPECT_FALSE(store().mail().redeem_link(TokenPurpose::signup, "link-s", kT0 + 4).has_value())
      << "nor the link";
  auto bobs = store().mail().redeem_code(TokenPurpose::signup, bob.email, "code-b", 3, kT0 + 5);
  ASSERT_TRUE(bobs.has_value()) << "bob's token never counted alice's guesses";
  EXPECT_EQ(bobs->user, bob.id);
}

TEST_P(StoreContract, ConcurrentRedemptionsSpendATokenOnce) {
  const auto alice = add_user("mailrace");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::recovery, "race", kT0 + kHour),
                                   mail_to(alice, "race"), kT0));
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const bool ok =
          i % 2 ? store().mail().redeem_link(TokenPurpose::recovery, "link-race", kT0 + 1).has_value()
                : store().mail().redeem_code(TokenPurpose::recovery, alice.email, "code-race", 5,
                                             kT0 + 1).has_value();
      if (ok) ++won;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
}

TEST_P(StoreContract, TheCourierClaimsRetriesAndBuriesMail) {
  const auto alice = add_user("mailcourier");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::signup, "1", kT0 + kHour),
                                   mail_to(alice, "1"), kT0));
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::recovery, "2", kT0 + kHour),
                                   mail_to(alice, "2"), kT0 + 1));
  auto claimed = store().mail().claim_due(kT0 + 10, kT0 + kMinute, 10);
  ASSERT_TRUE(claimed.has_value()) << claimed.error().detail;
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].kind, "signup") << "oldest first";
  EXPECT_EQ((*claimed)[0].attempts, 1) << "a claim is a try";
  EXPECT_EQ((*claimed)[0].text, "text with code 1");
  EXPECT_TRUE(store().mail().claim_due(kT0 + 20, kT0 + kMinute, 10)->empty())
      << "leased mail is nobody else's";

  // The first is delivered; the second fails once, then its lease would not matter.
  ASSERT_TRUE(store().mail().mark_sent((*claimed)[0].id, kT0 + 30));
  ASSERT_TRUE(store().mail().mark_failed((*claimed)[1].id, "421 try later", kT0 + 5 * kMinute));
  EXPECT_TRUE(store().mail().claim_due(kT0 + 2 * kMinute, kT0 + 3 * kMinute, 10)->empty())
      << "not before its retry time";
  auto retried = store().mail().claim_due(kT0 + 5 * kMinute, kT0 + 6 * kMinute, 10);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].attempts, 2);
  EXPECT_EQ((*retried)[0].last_error, "421 try later");
  ASSERT_TRUE(store().mail().mark_failed((*retried)[0].id, "550 no such user", std::nullopt));

  auto all = store().mail().recent_mail(10);
  ASSERT_EQ(all->size(), 2u);
  const MailRecord& dead = (*all)[0];  // newest first
  const MailRecord& sent = (*all)[1];
  EXPECT_EQ(sent.state, MailState::sent);
  EXPECT_EQ(sent.sent_at, kT0 + 30);
  EXPECT_EQ(sent.text, "") << "the code is not kept after delivery";
  EXPECT_EQ(sent.html, "");
  EXPECT_EQ(dead.state, MailState::dead);
  EXPECT_EQ(dead.last_error, "550 no such user");
  EXPECT_EQ(dead.text, "");
  EXPECT_TRUE(store().mail().claim_due(kT0 + kHour, kT0 + 2 * kHour, 10)->empty());
}

TEST_P(StoreContract, AnExpiredLeaseGivesTheMailToTheNextCourier) {
  const auto alice = add_user("maillease");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::signup, "l", kT0 + kHour),
                                   mail_to(alice, "l"), kT0));
  ASSERT_EQ(store().mail().claim_due(kT0, kT0 + kMinute, 10)->size(), 1u);
  EXPECT_TRUE(store().mail().claim_due(kT0 + kMinute - 1, kT0 + 2 * kMinute, 10)->empty());
  auto again = store().mail().claim_due(kT0 + kMinute, kT0 + 2 * kMinute, 10);
  ASSERT_EQ(again->size(), 1u) << "the first courier died: at least once";
  EXPECT_EQ((*again)[0].attempts, 2);
  EXPECT_EQ(store().mail().claim_due(kT0 + 3 * kMinute, kT0 + 4 * kMinute, 0)->size(), 0u);
}

TEST_P(StoreContract, ConcurrentCouriersNeverClaimTheSameMail) {
  const auto alice = add_user("mailcouriers");
  for (int i = 0; i < 20; ++i) {
    const std::string tag = "c" + std::to_string(i);
    // Distinct purposes are not needed: each issue spends only the same user's older token.
    ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::signup, tag, kT0 + kHour),
                                     mail_to(alice, tag), kT0 + i));
  }
  std::mutex m;
  std::vector<std::string> seen;
  std::vector<std::thread> couriers;
  for (int c = 0; c < 4; ++c) {
    couriers.emplace_back([&] {
      for (int round = 0; round < 10; ++round) {
        auto got = store().mail().claim_due(kT0 + kMinute, kT0 + kHour, 3);
        if (!got) continue;
        std::lock_guard lock(m);
        for (const auto& mail : *got) seen.push_back(mail.id.str());
      }
    });
  }
  for (auto& t : couriers) t.join();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a mail claimed twice";
  EXPECT_EQ(seen.size(), 20u);
}

TEST_P(StoreContract, DeletingAUserDeletesItsTokensButNotItsMail) {
  const auto alice = add_user("maildelete");
  ASSERT_TRUE(store().mail().issue(token_for(alice, TokenPurpose::signup, "d", kT0 + kHour),
                                   mail_to(alice, "d"), kT0));
  ASSERT_TRUE(users().delete_user(alice.id));
  EXPECT_FALSE(store().mail().redeem_link(TokenPurpose::signup, "link-d", kT0 + 1).has_value());
  EXPECT_EQ(store().mail().recent_mail(10)->size(), 1u);
}

}  // namespace latchkey::store::testing
