// The TOTP part of the store contract: factors belong to their user, a time step is accepted
// once per factor, a challenge is verified once and expires, and verification raises the
// session, on every backend.
#include <atomic>
#include <thread>
#include <vector>

#include "store_contract.hpp"

namespace latchkey::store::testing {
namespace {

constexpr core::Micros kMinute = 60'000'000;

FactorRecord factor_of(const UserRecord& u, std::string name, core::Micros now) {
  FactorRecord f{FactorId{core::Uuid::random_v4()}, u.id};
  f.friendly_name = std::move(name);
  f.secret_sealed = "sealed-secret ✓";
  f.created_at = now;
  f.updated_at = now;
  return f;
}

ChallengeRecord challenge_of(const FactorRecord& f, core::Micros now) {
  return ChallengeRecord{ChallengeId{core::Uuid::random_v4()},
                         f.id,
                         now,
                         now + 5 * kMinute,
                         std::nullopt,
                         "192.0.2.1"};
}

TEST_P(StoreContract, FactorsAreTheOwnersAndNamesAreUniquePerUser) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  auto& factors = store().factors();
  const auto a1 = factor_of(alice, "phone", kT0);
  ASSERT_TRUE(factors.add_factor(a1));
  EXPECT_EQ(factors.add_factor(factor_of(alice, "phone", kT0 + 1)).error().code, Errc::conflict);
  ASSERT_TRUE(factors.add_factor(factor_of(alice, "", kT0 + 2)));
  ASSERT_TRUE(factors.add_factor(factor_of(alice, "", kT0 + 3))) << "empty names never clash";
  ASSERT_TRUE(factors.add_factor(factor_of(bob, "phone", kT0 + 4))) << "names are per user";

  auto listed = factors.list_factors(alice.id);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ(listed->at(0).id, a1.id);
  EXPECT_EQ(listed->at(0).secret_sealed, a1.secret_sealed);
  EXPECT_EQ(listed->at(0).status, FactorStatus::unverified);
  EXPECT_EQ(listed->at(0).last_used_step, -1);
  EXPECT_EQ(listed->at(0).created_at, kT0);
  EXPECT_EQ(factors.find_factor(bob.id, a1.id).error().code, Errc::not_found);
  EXPECT_EQ(factors.delete_factor(bob.id, a1.id).error().code, Errc::not_found);
  ASSERT_TRUE(factors.delete_factor(alice.id, a1.id));
  EXPECT_EQ(factors.find_factor(alice.id, a1.id).error().code, Errc::not_found);
}

TEST_P(StoreContract, AStepIsAcceptedOncePerFactorAndAChallengeOnce) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  auto& factors = store().factors();
  const auto f = factor_of(alice, "app", kT0);
  ASSERT_TRUE(factors.add_factor(f));
  const auto c1 = challenge_of(f, kT0 + 1);
  ASSERT_TRUE(factors.add_challenge(alice.id, c1));
  EXPECT_EQ(factors.find_factor(alice.id, f.id)->last_challenged_at, kT0 + 1);

  auto verified = factors.verify_challenge(alice.id, f.id, c1.id, 100, s.id, kT0 + 2);
  ASSERT_TRUE(verified.has_value()) << verified.error().detail;
  EXPECT_EQ(verified->status, FactorStatus::verified);
  EXPECT_EQ(verified->last_used_step, 100);
  EXPECT_EQ(factors.find_factor(alice.id, f.id)->last_used_step, 100);

  auto again = factors.verify_challenge(alice.id, f.id, c1.id, 101, s.id, kT0 + 3);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().detail, "challenge_expired") << "a challenge is verified once";
  const auto c2 = challenge_of(f, kT0 + 4);
  ASSERT_TRUE(factors.add_challenge(alice.id, c2));
  auto same_step = factors.verify_challenge(alice.id, f.id, c2.id, 100, s.id, kT0 + 5);
  ASSERT_FALSE(same_step);
  EXPECT_EQ(same_step.error().detail, "code_reused") << "RFC 6238 5.2, even on a new challenge";
  EXPECT_TRUE(factors.verify_challenge(alice.id, f.id, c2.id, 101, s.id, kT0 + 6));

  const auto late = challenge_of(f, kT0 + 7);
  ASSERT_TRUE(factors.add_challenge(alice.id, late));
  EXPECT_EQ(
      factors.verify_challenge(alice.id, f.id, late.id, 200, s.id, late.expires_at).error().detail,
      "challenge_expired");
  const auto bob = add_user("bob");
  EXPECT_EQ(factors.add_challenge(bob.id, challenge_of(f, kT0)).error().code, Errc::not_found);
  EXPECT_EQ(factors.verify_challenge(bob.id, f.id, late.id, 300, s.id, kT0 + 8).error().code,
            Errc::not_found);
}

TEST_P(StoreContract, ConcurrentVerificationsOfOneStepHaveOneWinner) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  auto& factors = store().factors();
  const auto f = factor_of(alice, "app", kT0);
  ASSERT_TRUE(factors.add_factor(f));
  constexpr int kTries = 4;
  std::vector<ChallengeRecord> challenges;
  for (int i = 0; i < kTries; ++i) {
    challenges.push_back(challenge_of(f, kT0 + i));
    ASSERT_TRUE(factors.add_challenge(alice.id, challenges.back()));
  }
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kTries; ++i) {
    threads.emplace_back([&, i] {
      if (factors.verify_challenge(alice.id, f.id, challenges[i].id, 500, s.id, kT0 + 10)) ++wins;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1) << "one code, one time step: accepted once";
}

TEST_P(StoreContract, DeletingAUserDeletesItsFactors) {
  const auto alice = add_user("alice");
  const auto f = factor_of(alice, "app", kT0);
  ASSERT_TRUE(store().factors().add_factor(f));
  ASSERT_TRUE(users().delete_user(alice.id));
  EXPECT_TRUE(store().factors().list_factors(alice.id)->empty());
}

}  // namespace
}  // namespace latchkey::store::testing
