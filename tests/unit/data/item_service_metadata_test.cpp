#include "data/item_service.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace latchkey::data {
namespace {

using store::ItemPatch;
using store::ItemRecord;
using store::NewItem;

constexpr core::Micros kT0 = 1'700'000'000'000'000;
const UserId kAlice{core::Uuid::random_v4()};

// Remembers what the service handed over, and answers with it.
class RecordingItems final : public store::ItemStore {
 public:
  std::optional<NewItem> created;
  std::optional<ItemPatch> patched;

  Result<ItemRecord> create_item(UserId owner, const NewItem& item, core::Micros now) override {
    created = item;
    return ItemRecord{item.id, owner, item.title, item.content, item.metadata_json, now, now};
  }
  Result<std::vector<ItemRecord>> list_items(UserId, int, int) override {
    return std::vector<ItemRecord>{};
  }
  Result<ItemRecord> get_item(UserId, ItemId) override {
    return fail(Error::of(Errc::not_found, "fake: no items"));
  }
  Result<ItemRecord> update_item(UserId owner, ItemId id, const ItemPatch& patch,
                                 core::Micros now) override {
    patched = patch;
    return ItemRecord{id, owner, "t", "c", patch.metadata_json, kT0, now};
  }
  Result<void> delete_item(UserId, ItemId) override { return {}; }
};

class ItemServiceMetadataTest : public ::testing::Test {
 protected:
  RecordingItems store_;
  core::FixedClock clock_{kT0};
  core::SystemRandom random_;
  ItemService service_{store_, clock_, random_};
};

ItemPatch metadata_patch(std::string json) {
  ItemPatch p;
  p.metadata_json = std::move(json);
  return p;
}

TEST_F(ItemServiceMetadataTest, CreateHandsJsonNullMetadataToTheStoreAsNone) {
  ASSERT_TRUE(service_.create(kAlice, {ItemId{}, "t", "c", "null"}));
  ASSERT_TRUE(store_.created.has_value());
  EXPECT_EQ(store_.created->metadata_json, std::nullopt);
}

TEST_F(ItemServiceMetadataTest, CreateHandsOtherMetadataToTheStoreAsSent) {
  for (const char* json : {R"({"a":null})", R"({"k":[1,2]})", R"("null")"}) {
    ASSERT_TRUE(service_.create(kAlice, {ItemId{}, "t", "c", json}));
    EXPECT_EQ(store_.created->metadata_json, json);
  }
  ASSERT_TRUE(service_.create(kAlice, {ItemId{}, "t", "c", std::nullopt}));
  EXPECT_EQ(store_.created->metadata_json, std::nullopt);
}

TEST_F(ItemServiceMetadataTest, APatchCarryingJsonNullClearsTheMetadata) {
  ASSERT_TRUE(service_.update(kAlice, ItemId{core::Uuid::random_v4()}, metadata_patch("null")));
  ASSERT_TRUE(store_.patched.has_value());
  EXPECT_TRUE(store_.patched->clear_metadata);
  EXPECT_EQ(store_.patched->metadata_json, std::nullopt);
}

TEST_F(ItemServiceMetadataTest, APatchCarryingOtherMetadataSetsItAsSent) {
  ASSERT_TRUE(service_.update(kAlice, ItemId{core::Uuid::random_v4()}, metadata_patch("{}")));
  EXPECT_FALSE(store_.patched->clear_metadata);
  EXPECT_EQ(store_.patched->metadata_json, "{}");

  ItemPatch title_only;
  title_only.title = "t2";
  ASSERT_TRUE(service_.update(kAlice, ItemId{core::Uuid::random_v4()}, title_only));
  EXPECT_FALSE(store_.patched->clear_metadata) << "metadata left alone";
  EXPECT_EQ(store_.patched->metadata_json, std::nullopt);
}

TEST_F(ItemServiceMetadataTest, AnEmptyPatchNeverReachesTheStore) {
  auto r = service_.update(kAlice, ItemId{core::Uuid::random_v4()}, ItemPatch{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().public_code, ErrorCode::no_fields_to_update);
  EXPECT_FALSE(store_.patched.has_value());
}

}  // namespace
}  // namespace latchkey::data
