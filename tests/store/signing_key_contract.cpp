// The signing-key part of the store contract: every node of a database shares these keys.
#include <atomic>
#include <thread>
#include <vector>

#include "store_contract.hpp"

namespace latchkey::store::testing {
namespace {

Errc code_of(const Result<void>& r) { return r ? Errc::internal : r.error().code; }

SigningKeyRecord key(std::string kid, core::Micros created,
                     std::optional<core::Micros> signs_from = std::nullopt) {
  SigningKeyRecord k;
  k.kid = std::move(kid);
  k.algorithm = "ES256";
  k.private_sealed = "sealed-" + k.kid;
  k.public_jwk = R"({"kty":"EC","crv":"P-256","kid":")" + k.kid + R"("})";
  k.created_at = created;
  k.signs_from = signs_from;
  return k;
}

TEST_P(StoreContract, SigningKeysAreStoredExactlyAndListedInTheOrderAdded) {
  auto& keys = store().signing_keys();
  EXPECT_TRUE(keys.list_keys().value().empty());
  auto a = key("kid-a", kT0, kT0);
  auto b = key("kid-b ✓ \"quoted\"", kT0 + 1);
  b.algorithm = "HS256";
  b.public_jwk = "";
  b.origin = "imported";
  ASSERT_TRUE(keys.add_keys({a, b}));
  auto listed = keys.list_keys();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& want = i == 0 ? a : b;
    const auto& got = listed->at(i);
    EXPECT_EQ(got.kid, want.kid);
    EXPECT_EQ(got.algorithm, want.algorithm);
    EXPECT_EQ(got.private_sealed, want.private_sealed);
    EXPECT_EQ(got.public_jwk, want.public_jwk);
    EXPECT_EQ(got.origin, want.origin);
    EXPECT_EQ(got.created_at, want.created_at);
    EXPECT_EQ(got.signs_from, want.signs_from);
    EXPECT_EQ(got.retired_at, std::nullopt);
  }
}

TEST_P(StoreContract, AddingATakenKidAddsNoneOfTheBatch) {
  auto& keys = store().signing_keys();
  ASSERT_TRUE(keys.add_keys({key("kid-a", kT0)}));
  auto again = keys.add_keys({key("kid-new", kT0 + 1), key("kid-a", kT0 + 2)});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::conflict);
  auto listed = keys.list_keys();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u) << "the batch is one transaction";
  EXPECT_EQ(listed->at(0).created_at, kT0);
}

TEST_P(StoreContract, AStoreOutsideTheRulesIsRefused) {
  auto bad = key("kid-x", kT0);
  bad.algorithm = "none";
  EXPECT_EQ(code_of(store().signing_keys().add_keys({bad})), Errc::invalid_input);
  EXPECT_TRUE(store().signing_keys().list_keys().value().empty());
}

TEST_P(StoreContract, RetiringAKeyKeepsItsFirstTimeAndUnknownKidsAreNotFound) {
  auto& keys = store().signing_keys();
  ASSERT_TRUE(keys.add_keys({key("kid-a", kT0, kT0), key("kid-b", kT0 + 1)}));
  ASSERT_TRUE(keys.retire_key("kid-b", kT0 + 10));
  ASSERT_TRUE(keys.retire_key("kid-b", kT0 + 20)) << "idempotent";
  EXPECT_EQ(code_of(keys.retire_key("kid-none", kT0)), Errc::not_found);
  auto listed = keys.list_keys().value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].retired_at, std::nullopt);
  EXPECT_EQ(listed[1].retired_at, kT0 + 10);
}

TEST_P(StoreContract, TheFirstSignerIsAddedOnlyWhileNoKeySigns) {
  auto& keys = store().signing_keys();
  ASSERT_TRUE(keys.add_keys({key("verify-only", kT0)}));
  EXPECT_EQ(keys.add_first_signer(key("first", kT0 + 1, kT0 + 1)).value(), true)
      << "a key that only verifies is not a signer";
  EXPECT_EQ(keys.add_first_signer(key("second", kT0 + 2, kT0 + 2)).value(), false);
  ASSERT_TRUE(keys.retire_key("first", kT0 + 3));
  EXPECT_EQ(keys.add_first_signer(key("third", kT0 + 4, kT0 + 4)).value(), true)
      << "a retired signer no longer counts";
  EXPECT_EQ(keys.list_keys().value().size(), 3u);
}

TEST_P(StoreContract, NodesStartingAtOnceAddExactlyOneFirstSigner) {
  constexpr int kNodes = 4;
  std::atomic<int> added{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto r = store().signing_keys().add_first_signer(
          key("node-" + std::to_string(i), kT0 + i, kT0 + i));
      ASSERT_TRUE(r.has_value()) << r.error().detail;
      ++(*r ? added : refused);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 1);
  EXPECT_EQ(refused.load(), kNodes - 1);
  EXPECT_EQ(store().signing_keys().list_keys().value().size(), 1u);
}

}  // namespace
}  // namespace latchkey::store::testing
