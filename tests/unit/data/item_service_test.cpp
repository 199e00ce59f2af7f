#include "data/item_service.hpp"

#include <gtest/gtest.h>

#include "support/services.hpp"

namespace latchkey::data {
namespace {

using testing::Services;

UserId user(Services& s, const std::string& email) {
  auto r = s.auth->register_hashed(email, s.auth->hash_password("password1"), "{}", {});
  if (!r) throw std::runtime_error(r.error().detail);
  return r->user.id;
}

TEST(ItemServiceTest, SomeoneElsesItemIsNotFoundLikeAnAbsentOne) {
  Services s;
  const UserId alice = user(s, "alice@example.com"), bob = user(s, "bob@example.com");
  auto item = s.items->create(alice, {ItemId{}, "t", "c", std::nullopt});
  ASSERT_TRUE(item);
  EXPECT_NE(item->id, ItemId{}) << "the service makes the id";
  for (auto r : {s.items->get(bob, item->id), s.items->get(alice, ItemId{core::Uuid::random_v4()})}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().public_code, ErrorCode::item_not_found);
    EXPECT_EQ(r.error().public_message(), "Item not found");
  }
  EXPECT_EQ(s.items->remove(bob, item->id).error().public_code, ErrorCode::item_not_found);
  EXPECT_EQ(s.items->update(bob, item->id, {"x", std::nullopt, std::nullopt}).error().public_code,
            ErrorCode::item_not_found);
  EXPECT_TRUE(s.items->get(alice, item->id)) << "bob's attempts changed nothing";
}

TEST(ItemServiceTest, AnEmptyPatchIsRefusedAndTimesComeFromTheClock) {
  Services s;
  const UserId alice = user(s, "alice@example.com");
  auto item = s.items->create(alice, {ItemId{}, "t", "c", std::nullopt});
  ASSERT_TRUE(item);
  EXPECT_EQ(item->created_at, testing::kStart);
  EXPECT_EQ(s.items->update(alice, item->id, {}).error().public_code,
            ErrorCode::no_fields_to_update);
  s.clock.advance_us(5'000'000);
  auto updated = s.items->update(alice, item->id, {"t2", std::nullopt, std::nullopt});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->title, "t2");
  EXPECT_EQ(updated->content, "c");
  EXPECT_EQ(updated->created_at, testing::kStart);
  EXPECT_EQ(updated->updated_at, testing::kStart + 5'000'000);
}

}  // namespace
}  // namespace latchkey::data
