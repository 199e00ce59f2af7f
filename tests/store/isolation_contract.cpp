#include "isolation_contract.hpp"

namespace latchkey::store::testing {

void IsolationContract::SetUp() {
  backend_ = GetParam().make();
  alice_ = make_user("alice");
  bob_ = make_user("bob");
  for (int i = 0; i < 2; ++i)
    alice_items_.push_back(make_item(alice_, "alice" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) bob_items_.push_back(make_item(bob_, "bob" + std::to_string(i)));
}

UserId IsolationContract::make_user(const std::string& name) {
  const UserId id{core::Uuid::random_v4()};
  EXPECT_TRUE(store().users().create_user({id, name + "@example.com", "{}", "h"}, kT0));
  return id;
}

ItemId IsolationContract::make_item(UserId owner, const std::string& title) {
  const ItemId id{core::Uuid::random_v4()};
  EXPECT_TRUE(store().items().create_item(owner, {id, title, "c", std::nullopt}, kT0));
  return id;
}

std::string IsolationContract::scalar(std::optional<UserId> owner, const std::string& sql) {
  auto r = exec(owner, sql);
  EXPECT_TRUE(r.has_value()) << sql << ": " << (r ? "" : r.error().detail);
  if (!r || r->rows.size() != 1 || r->rows[0].size() != 1 || !r->rows[0][0]) return "?";
  return *r->rows[0][0];
}

int64_t IsolationContract::changes(std::optional<UserId> owner, const std::string& sql) {
  auto r = exec(owner, sql);
  EXPECT_TRUE(r.has_value()) << sql << ": " << (r ? "" : r.error().detail);
  return r ? r->changes : -1;
}

std::string IsolationContract::insert_for(const UserId& user) const {
  std::string sql = GetParam().insert_row;
  const auto at = sql.find("{user}");
  if (at != std::string::npos) sql.replace(at, 6, user.str());
  return sql;
}

void IsolationContract::expect_refused_by_owner_rule(std::optional<UserId> owner,
                                                     const std::string& sql) {
  auto r = exec(owner, sql);
  ASSERT_FALSE(r.has_value()) << "not refused: " << sql;
  EXPECT_EQ(r.error().code, GetParam().refusal.code) << sql << ": " << r.error().detail;
  for (const std::string& text : GetParam().refusal.details)
    EXPECT_NE(r.error().detail.find(text), std::string::npos) << sql << ": " << r.error().detail;
}

void IsolationContract::expect_bob_intact() {
  ASSERT_EQ(store().items().list_items(bob_, 100, 0)->size(), bob_items_.size());
  for (size_t i = 0; i < bob_items_.size(); ++i) {
    auto item = store().items().get_item(bob_, bob_items_[i]);
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->title, "bob" + std::to_string(i));
  }
}

TEST_P(IsolationContract, UnfilteredSelectSeesOnlyTheOwnersRows) {
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "2");
  EXPECT_EQ(scalar(bob_, "SELECT count(*) FROM user_data"), "3");
  auto rows = exec(alice_, "SELECT user_id FROM user_data");
  ASSERT_TRUE(rows.has_value()) << rows.error().detail;
  ASSERT_EQ(rows->rows.size(), 2u);
  for (const auto& row : rows->rows) EXPECT_EQ(row[0], alice_.str());
  // Even a filter naming bob cannot reach past the owner rule, nor the qualified name.
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data WHERE user_id = '" + bob_.str() + "'"),
            "0");
  EXPECT_EQ(scalar(alice_, "SELECT count(DISTINCT user_id) FROM " + GetParam().qualified_table),
            "1");
}

TEST_P(IsolationContract, UnfilteredUpdateChangesOnlyTheOwnersRows) {
  EXPECT_EQ(changes(alice_, "UPDATE user_data SET title = 'pwned'"), 2);
  for (const ItemId& id : alice_items_)
    EXPECT_EQ(store().items().get_item(alice_, id)->title, "pwned");
  expect_bob_intact();
}

TEST_P(IsolationContract, UnfilteredDeleteRemovesOnlyTheOwnersRows) {
  EXPECT_EQ(changes(alice_, "DELETE FROM user_data"), 2);
  EXPECT_TRUE(store().items().list_items(alice_, 100, 0)->empty());
  expect_bob_intact();
}

TEST_P(IsolationContract, InsertingARowForAnotherUserIsRefused) {
  expect_refused_by_owner_rule(alice_, insert_for(bob_));
  expect_bob_intact();
  EXPECT_EQ(scalar(alice_, "SELECT count(*) FROM user_data"), "2");
}

TEST_P(IsolationContract, HandingARowOverToAnotherUserIsRefused) {
  expect_refused_by_owner_rule(alice_, "UPDATE user_data SET user_id = '" + bob_.str() + "'");
  EXPECT_EQ(store().items().list_items(alice_, 100, 0)->size(), 2u);
  expect_bob_intact();
}

TEST_P(IsolationContract, WithoutAnOwnerNothingIsSeenOrWritten) {
  EXPECT_EQ(scalar(std::nullopt, "SELECT count(*) FROM user_data"), "0");
  EXPECT_EQ(changes(std::nullopt, "UPDATE user_data SET title = 'pwned'"), 0);
  EXPECT_EQ(changes(std::nullopt, "DELETE FROM user_data"), 0);
  expect_refused_by_owner_rule(std::nullopt, insert_for(alice_));
  expect_bob_intact();
  EXPECT_EQ(store().items().list_items(alice_, 100, 0)->size(), 2u);
}

TEST_P(IsolationContract, TheOwnerDoesNotOutliveTheCall) {
  // Both pooled connections have served alice and bob by now; with no owner, nothing.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(scalar(i % 2 ? alice_ : bob_, "SELECT count(*) FROM user_data"), i % 2 ? "2" : "3");
    EXPECT_EQ(scalar(std::nullopt, "SELECT count(*) FROM user_data"), "0");
  }
}

}  // namespace latchkey::store::testing
