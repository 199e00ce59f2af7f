// RowService's rules above ItemRowStore: no unfiltered PATCH or DELETE, an empty update
// changes nothing, and writes are stamped with the service's clock.
#include <gtest/gtest.h>

#include "support/services.hpp"

namespace latchkey::data {
namespace {

using store::DataRole;
using store::DataScope;
using store::ItemColumn;

class RowServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const UserId id{core::Uuid::random_v4()};
    auto u = s.db->users().create_user({id, "rows@example.com", "{}", "hash"}, s.clock.now_us());
    ASSERT_TRUE(u.has_value()) << u.error().detail;
    owner = DataScope{DataRole::authenticated, u->id};
    store::ItemValues row = {{ItemColumn::title, store::Literal{std::string("t")}},
                             {ItemColumn::content, store::Literal{std::string("c")}}};
    auto inserted = s.rows->insert(owner, {row, row}, std::nullopt, {});
    ASSERT_TRUE(inserted.has_value()) << inserted.error().detail;
    ASSERT_EQ(inserted->rows.size(), 2u);
    EXPECT_EQ(inserted->rows[0].created_at, s.clock.now_us()) << "the service's clock";
  }
  size_t count() {
    auto all = s.rows->select(owner, {});
    EXPECT_TRUE(all.has_value());
    return all ? all->rows.size() : 0;
  }
  static store::FilterGroup title_is(std::string title) {
    store::Comparison c;
    c.column = ItemColumn::title;
    c.values = {store::Literal{std::move(title)}};
    store::FilterGroup g;
    g.children.push_back(store::FilterNode{c});
    return g;
  }

  testing::Services s;
  DataScope owner;
};

TEST_F(RowServiceTest, UnfilteredUpdatesAndDeletesAreRefused) {
  const store::ItemValues values = {{ItemColumn::title, store::Literal{std::string("x")}}};
  auto update = s.rows->update(owner, {}, values, {});
  ASSERT_FALSE(update.has_value());
  EXPECT_EQ(update.error().public_code, ErrorCode::missing_where);
  EXPECT_EQ(update.error().public_message(), "UPDATE requires a WHERE clause");
  auto remove = s.rows->remove(owner, {}, {});
  ASSERT_FALSE(remove.has_value());
  EXPECT_EQ(remove.error().public_message(), "DELETE requires a WHERE clause");
  EXPECT_EQ(count(), 2u);
  auto filtered = s.rows->remove(owner, title_is("t"), {});
  ASSERT_TRUE(filtered.has_value());
  EXPECT_EQ(filtered->rows.size(), 2u);
  EXPECT_EQ(count(), 0u);
}

TEST_F(RowServiceTest, AnEmptyUpdateChangesNothing) {
  auto none = s.rows->update(owner, title_is("t"), {}, {});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->rows.empty());
  EXPECT_FALSE(none->rolled_back);
  store::WriteOptions single;
  single.single = true;
  auto for_single = s.rows->update(owner, title_is("t"), {}, single);
  ASSERT_TRUE(for_single.has_value());
  EXPECT_TRUE(for_single->rolled_back) << ".single() wants exactly one row";
}

}  // namespace
}  // namespace latchkey::data
