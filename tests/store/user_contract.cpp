// The Supabase Auth user model on every backend: updates, deletes, paging, sign-in times and
// revoking a user's sessions.
#include <nlohmann/json.hpp>

#include "store_contract.hpp"

namespace latchkey::store::testing {
namespace {

using nlohmann::json;

template <class T>
Errc code_of(const Result<T>& r) {
  EXPECT_FALSE(r.has_value()) << "expected a failure";
  return r.has_value() ? Errc::internal : r.error().code;
}

SessionRecord session_for(const UserRecord& u, core::Micros at, core::Micros ttl) {
  return SessionRecord{SessionId{core::Uuid::random_v4()}, u.id, at, at + ttl, std::nullopt};
}

}  // namespace

TEST_P(StoreContract, NewUserKeepsEveryAttributeGiven) {
  NewUser n{UserId{core::Uuid::random_v4()}, "Attr@Example.com", R"({"a":1})", "h"};
  n.app_metadata = R"({"provider":"email","providers":["email"],"plan":"pro"})";
  n.phone = "+15550100";
  n.email_confirmed_at = kT0 - 5;
  n.banned_until = kT0 + kHour;
  ASSERT_TRUE(users().create_user(n, kT0));
  auto u = users().find_user(n.id);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->email, "attr@example.com");
  EXPECT_EQ(json::parse(u->user_metadata), json({{"a", 1}}));
  EXPECT_EQ(json::parse(u->app_metadata)["plan"], "pro");
  EXPECT_EQ(u->phone, "+15550100");
  EXPECT_EQ(u->email_confirmed_at, kT0 - 5);
  EXPECT_EQ(u->banned_until, kT0 + kHour);
  EXPECT_EQ(u->created_at, kT0);
  EXPECT_EQ(u->updated_at, kT0);
}

TEST_P(StoreContract, UpdateUserChangesOnlyWhatThePatchSets) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  UserPatch p;
  p.user_metadata = R"({"theme":"dark"})";
  p.email_confirmed_at = kT0 + 1;
  p.banned_until = kT0 + kHour;
  auto updated = users().update_user(alice.id, p, kT0 + 10);
  ASSERT_TRUE(updated.has_value()) << updated.error().detail;
  EXPECT_EQ(json::parse(updated->user_metadata), json({{"theme", "dark"}}));
  EXPECT_EQ(updated->email, alice.email);
  EXPECT_EQ(updated->password_hash, alice.password_hash);
  EXPECT_EQ(updated->updated_at, kT0 + 10);
  EXPECT_EQ(updated->created_at, kT0);
  const auto stored = users().find_user(alice.id);
  EXPECT_EQ(json::parse(stored->user_metadata), json({{"theme", "dark"}}));
  EXPECT_EQ(stored->email_confirmed_at, kT0 + 1);
  EXPECT_EQ(stored->banned_until, kT0 + kHour);
  EXPECT_EQ(json::parse(users().find_user(bob.id)->user_metadata),
            json({{"full_name", "Name bob"}}));

  UserPatch clear;
  clear.banned_until = std::optional<core::Micros>();
  clear.email = "Alice2@Example.com";
  clear.password_hash = "h2";
  ASSERT_TRUE(users().update_user(alice.id, clear, kT0 + 20));
  const auto after = users().find_user_by_email("alice2@example.com");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->banned_until, std::nullopt);
  EXPECT_EQ(after->email_confirmed_at, kT0 + 1) << "not in the patch: unchanged";
  EXPECT_EQ(after->password_hash, "h2");
  EXPECT_EQ(code_of(users().find_user_by_email(alice.email)), Errc::not_found);
}

TEST_P(StoreContract, UpdateUserToATakenEmailIsConflict) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  UserPatch p;
  p.email = "BOB@example.com";
  EXPECT_EQ(code_of(users().update_user(alice.id, p, kT0 + 1)), Errc::conflict);
  EXPECT_EQ(users().find_user(alice.id)->email, alice.email);
  EXPECT_EQ(code_of(users().update_user(UserId{core::Uuid::random_v4()}, UserPatch{}, kT0)),
            Errc::not_found);
  (void)bob;
}

TEST_P(StoreContract, DeleteUserTakesSessionsAndItems) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  const auto session = add_session(alice, "hash-a");
  const auto item = add_item(alice, "t", kT0);
  const auto bobs = add_item(bob, "b", kT0);
  ASSERT_TRUE(users().delete_user(alice.id));
  EXPECT_EQ(code_of(users().find_user(alice.id)), Errc::not_found);
  EXPECT_FALSE(sessions().check_session(alice.id, session.id, kT0 + 1));
  EXPECT_FALSE(sessions().rotate_refresh_token({"hash-a", "hash-b"}, kT0 + 1, {}));
  EXPECT_EQ(code_of(items().get_item(alice.id, item.id)), Errc::not_found);
  EXPECT_TRUE(items().get_item(bob.id, bobs.id)) << "someone else's rows stay";
  EXPECT_EQ(code_of(users().delete_user(alice.id)), Errc::not_found);
}

TEST_P(StoreContract, ListUsersPagesNewestFirstWithTheTotal) {
  std::vector<UserId> ids;
  for (int i = 0; i < 5; ++i) {
    NewUser n{UserId{core::Uuid::random_v4()}, "u" + std::to_string(i) + "@example.com", "{}",
              "h"};
    ASSERT_TRUE(users().create_user(n, kT0 + i));
    ids.push_back(n.id);
  }
  auto first = users().list_users(2, 0);
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  EXPECT_EQ(first->total, 5);
  ASSERT_EQ(first->users.size(), 2u);
  EXPECT_EQ(first->users[0].id, ids[4]);
  EXPECT_EQ(first->users[1].id, ids[3]);
  auto last = users().list_users(2, 4);
  ASSERT_EQ(last->users.size(), 1u);
  EXPECT_EQ(last->users[0].id, ids[0]);
  auto beyond = users().list_users(2, 10);
  ASSERT_TRUE(beyond.has_value());
  EXPECT_TRUE(beyond->users.empty());
  EXPECT_EQ(beyond->total, 5) << "the total is known even past the last page";
}

TEST_P(StoreContract, OpeningASessionRecordsTheSignIn) {
  const auto alice = add_user("alice");
  ASSERT_TRUE(sessions().open_session(session_for(alice, kT0 + 7, kHour), "hash-s"));
  EXPECT_EQ(users().find_user(alice.id)->last_sign_in_at, kT0 + 7);
}

TEST_P(StoreContract, RevokeUserSessionsKeepsOnlyTheOneAsked) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  const auto a1 = session_for(alice, kT0, kHour);
  const auto a2 = session_for(alice, kT0, kHour);
  const auto a3 = session_for(alice, kT0, kHour);
  const auto b1 = session_for(bob, kT0, kHour);
  ASSERT_TRUE(sessions().open_session(a1, "h1"));
  ASSERT_TRUE(sessions().open_session(a2, "h2"));
  ASSERT_TRUE(sessions().open_session(a3, "h3"));
  ASSERT_TRUE(sessions().open_session(b1, "h4"));
  auto n = sessions().revoke_user_sessions(alice.id, a2.id, kT0 + 1);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 2);
  EXPECT_FALSE(sessions().check_session(alice.id, a1.id, kT0 + 2));
  EXPECT_TRUE(sessions().check_session(alice.id, a2.id, kT0 + 2));
  EXPECT_FALSE(sessions().check_session(alice.id, a3.id, kT0 + 2));
  EXPECT_TRUE(sessions().check_session(bob.id, b1.id, kT0 + 2)) << "another user's";
  EXPECT_FALSE(sessions().rotate_refresh_token({"h1", "h1b"}, kT0 + 2, {})) << "tokens die too";
  EXPECT_EQ(*sessions().revoke_user_sessions(alice.id, std::nullopt, kT0 + 3), 1);
  EXPECT_FALSE(sessions().check_session(alice.id, a2.id, kT0 + 4));
}

}  // namespace latchkey::store::testing
