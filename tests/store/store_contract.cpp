#include "store_contract.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "data/item_service.hpp"

namespace latchkey::store::testing {
namespace {

using nlohmann::json;

UserId new_user_id() { return UserId{core::Uuid::random_v4()}; }
ItemId new_item_id() { return ItemId{core::Uuid::random_v4()}; }
SessionId new_session_id() { return SessionId{core::Uuid::random_v4()}; }

ItemPatch title_patch(std::string v) {
  ItemPatch p;
  p.title = std::move(v);
  return p;
}
ItemPatch content_patch(std::string v) {
  ItemPatch p;
  p.content = std::move(v);
  return p;
}
ItemPatch metadata_patch(std::string v) {
  ItemPatch p;
  p.metadata_json = std::move(v);
  return p;
}

template <class T>
Errc code_of(const Result<T>& r) {
  EXPECT_FALSE(r.has_value()) << "expected a failure";
  return r.has_value() ? Errc::internal : r.error().code;
}

}  // namespace

void StoreContract::SetUp() { backend_ = GetParam().make(); }

UserRecord StoreContract::add_user(const std::string& name) {
  auto r = users().create_user(
      {new_user_id(), name + "@example.com", R"({"full_name":"Name )" + name + R"("})",
       "$argon2id$v=19$hash-" + name},
      kT0);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return std::move(r).value();
}

SessionRecord StoreContract::add_session(const UserRecord& user, const std::string& refresh_hash) {
  auto r = sessions().open_session({new_session_id(), user.id, kT0, kT0 + kHour, std::nullopt},
                                   refresh_hash);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return std::move(r).value();
}

ItemRecord StoreContract::add_item(const UserRecord& user, const std::string& title,
                                   core::Micros now) {
  auto r =
      items().create_item(user.id, {new_item_id(), title, "content of " + title, "{\"k\":1}"}, now);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return std::move(r).value();
}

// ---- users ----------------------------------------------------------------------------

TEST_P(StoreContract, PingAndBackendName) {
  EXPECT_TRUE(store().ping().has_value());
  EXPECT_FALSE(std::string(store().backend_name()).empty());
}

TEST_P(StoreContract, CreatedUserIsFoundByEmailAndById) {
  const auto alice = add_user("alice");
  EXPECT_EQ(alice.created_at, kT0);
  for (const auto& found :
       {users().find_user_by_email("alice@example.com"), users().find_user(alice.id)}) {
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, alice.id);
    EXPECT_EQ(found->email, "alice@example.com");
    EXPECT_EQ(json::parse(found->user_metadata), json({{"full_name", "Name alice"}}));
    EXPECT_EQ(json::parse(found->app_metadata),
              json({{"provider", "email"}, {"providers", {"email"}}}));
    EXPECT_EQ(found->updated_at, kT0);
    EXPECT_EQ(found->email_confirmed_at, std::nullopt);
    EXPECT_EQ(found->last_sign_in_at, std::nullopt);
    EXPECT_EQ(found->banned_until, std::nullopt);
    EXPECT_EQ(found->phone, std::nullopt);
    EXPECT_EQ(found->password_hash, "$argon2id$v=19$hash-alice");
    EXPECT_EQ(found->created_at, kT0);
  }
}

TEST_P(StoreContract, EmptyMetadataRoundTrips) {
  const UserId id = new_user_id();
  ASSERT_TRUE(users().create_user({id, "nameless@example.com", "{}", "h"}, kT0));
  EXPECT_EQ(json::parse(users().find_user(id)->user_metadata), json::object());
}

TEST_P(StoreContract, DuplicateEmailIsConflictWhateverItsCase) {
  add_user("alice");
  for (const char* email : {"alice@example.com", "ALICE@Example.COM"}) {
    auto dup = users().create_user({new_user_id(), email, "{}", "h"}, kT0);
    EXPECT_EQ(code_of(dup), Errc::conflict) << email;
  }
}

TEST_P(StoreContract, EmailIsStoredAndLookedUpLowerCased) {
  const UserId id = new_user_id();
  ASSERT_TRUE(users().create_user({id, "Bob@Example.com", "{}", "h"}, kT0));
  auto found = users().find_user_by_email("BOB@example.COM");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->email, "bob@example.com");
}

TEST_P(StoreContract, UnknownUserIsNotFound) {
  add_user("alice");
  EXPECT_EQ(code_of(users().find_user_by_email("nobody@example.com")), Errc::not_found);
  EXPECT_EQ(code_of(users().find_user(new_user_id())), Errc::not_found);
  EXPECT_EQ(code_of(users().set_password_hash(new_user_id(), "h")), Errc::not_found);
}

TEST_P(StoreContract, SetPasswordHashReplacesOnlyThatUsersHash) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  ASSERT_TRUE(users().set_password_hash(alice.id, "$argon2id$new"));
  EXPECT_EQ(users().find_user(alice.id)->password_hash, "$argon2id$new");
  EXPECT_EQ(users().find_user(bob.id)->password_hash, bob.password_hash);
}

// ---- sessions -------------------------------------------------------------------------

TEST_P(StoreContract, OpenSessionIsLiveUntilItExpires) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  EXPECT_TRUE(sessions().check_session(alice.id, s.id, kT0).has_value());
  EXPECT_TRUE(sessions().check_session(alice.id, s.id, s.expires_at - 1).has_value());
  EXPECT_EQ(code_of(sessions().check_session(alice.id, s.id, s.expires_at)), Errc::unauthenticated);
}

TEST_P(StoreContract, SessionOfAnotherOwnerOrUnknownIsUnauthenticated) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  const auto s = add_session(alice, "h1");
  EXPECT_EQ(code_of(sessions().check_session(bob.id, s.id, kT0)), Errc::unauthenticated);
  EXPECT_EQ(code_of(sessions().check_session(alice.id, new_session_id(), kT0)),
            Errc::unauthenticated);
}

TEST_P(StoreContract, RevokedSessionFailsChecksAndRevokeIsIdempotent) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  ASSERT_TRUE(sessions().revoke_session(alice.id, s.id, kT0 + 1));
  EXPECT_EQ(code_of(sessions().check_session(alice.id, s.id, kT0 + 2)), Errc::unauthenticated);
  EXPECT_TRUE(sessions().revoke_session(alice.id, s.id, kT0 + 3).has_value());
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"h1", "h2"}, kT0 + 4, {})),
            Errc::unauthenticated);
}

TEST_P(StoreContract, RevokingAnotherOwnersSessionIsNotFoundAndLeavesItLive) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  const auto s = add_session(alice, "h1");
  EXPECT_EQ(code_of(sessions().revoke_session(bob.id, s.id, kT0)), Errc::not_found);
  EXPECT_EQ(code_of(sessions().revoke_session(alice.id, new_session_id(), kT0)), Errc::not_found);
  EXPECT_TRUE(sessions().check_session(alice.id, s.id, kT0).has_value());
}

TEST_P(StoreContract, RotationReturnsTheSessionAndTheNewTokenRotatesAgain) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  auto r1 = sessions().rotate_refresh_token({"h1", "h2"}, kT0 + 10, {});
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->session.id, s.id);
  EXPECT_EQ(r1->session.user_id, alice.id);
  EXPECT_EQ(r1->session.expires_at, s.expires_at);
  EXPECT_EQ(r1->session.revoked_at, std::nullopt);
  EXPECT_EQ(r1->live_sealed, std::nullopt) << "a rotation, not a forgiven replay";
  EXPECT_TRUE(sessions().rotate_refresh_token({"h2", "h3"}, kT0 + 20, {}).has_value());
  EXPECT_TRUE(sessions().check_session(alice.id, s.id, kT0 + 30).has_value());
}

TEST_P(StoreContract, ReusingASpentTokenRevokesTheSession) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  ASSERT_TRUE(sessions().rotate_refresh_token({"h1", "h2"}, kT0 + 10, {}));

  auto replay = sessions().rotate_refresh_token({"h1", "hx"}, kT0 + 20, {});
  ASSERT_FALSE(replay.has_value());
  EXPECT_EQ(replay.error().code, Errc::unauthenticated);
  EXPECT_EQ(replay.error().detail, "refresh_token_reused");
  // The revocation is durable, and the live token died with the session.
  EXPECT_EQ(code_of(sessions().check_session(alice.id, s.id, kT0 + 30)), Errc::unauthenticated);
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"h2", "h3"}, kT0 + 40, {})),
            Errc::unauthenticated);
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"hx", "h4"}, kT0 + 50, {})),
            Errc::unauthenticated);
}

TEST_P(StoreContract, ReuseDoesNotTouchOtherSessions) {
  const auto alice = add_user("alice");
  const auto s1 = add_session(alice, "a1");
  const auto s2 = add_session(alice, "b1");
  ASSERT_TRUE(sessions().rotate_refresh_token({"a1", "a2"}, kT0 + 1, {}));
  ASSERT_FALSE(sessions().rotate_refresh_token({"a1", "a3"}, kT0 + 2, {}));
  EXPECT_FALSE(sessions().check_session(alice.id, s1.id, kT0 + 3));
  EXPECT_TRUE(sessions().check_session(alice.id, s2.id, kT0 + 3));
  EXPECT_TRUE(sessions().rotate_refresh_token({"b1", "b2"}, kT0 + 4, {}));
}

TEST_P(StoreContract, UnknownTokenOrDeadSessionCannotRotate) {
  const auto alice = add_user("alice");
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"nope", "h2"}, kT0, {})),
            Errc::unauthenticated);

  const auto expiring = add_session(alice, "e1");
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"e1", "e2"}, expiring.expires_at, {})),
            Errc::unauthenticated);
  // A failed rotation consumed nothing: a new token was not issued.
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"e2", "e3"}, kT0, {})), Errc::unauthenticated);
}

TEST_P(StoreContract, SessionKeepsItsSignInMethodAndRecordsItsLastUse) {
  const auto alice = add_user("alice");
  SessionRecord opened{new_session_id(), alice.id, kT0, kT0 + kHour, std::nullopt};
  opened.sign_in_method = "otp";
  opened.client = SessionClient{"192.0.2.7", "Firefox/128 \"quoted\" 'single' ✓"};
  ASSERT_TRUE(sessions().open_session(opened, "h1"));

  auto listed = sessions().list_sessions(alice.id, kT0 + 1, 10);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id, opened.id);
  EXPECT_EQ(listed->at(0).created_at, kT0);
  EXPECT_EQ(listed->at(0).expires_at, kT0 + kHour);
  EXPECT_EQ(listed->at(0).sign_in_method, "otp");
  EXPECT_EQ(listed->at(0).client.ip, opened.client.ip);
  EXPECT_EQ(listed->at(0).client.user_agent, opened.client.user_agent) << "stored exactly";
  EXPECT_EQ(listed->at(0).refreshed_at, std::nullopt);

  const SessionClient later{"2001:db8::5", "Chrome/131"};
  auto rotated = sessions().rotate_refresh_token({"h1", "h2"}, kT0 + 10, later);
  ASSERT_TRUE(rotated.has_value());
  EXPECT_EQ(rotated->session.sign_in_method, "otp") << "a refresh keeps how the session was opened";
  EXPECT_EQ(rotated->session.created_at, kT0);
  EXPECT_EQ(rotated->session.refreshed_at, kT0 + 10);
  EXPECT_EQ(rotated->session.client.ip, later.ip);
  EXPECT_EQ(rotated->session.client.user_agent, later.user_agent);
  listed = sessions().list_sessions(alice.id, kT0 + 11, 10);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).refreshed_at, kT0 + 10);
  EXPECT_EQ(listed->at(0).client.ip, later.ip);
  EXPECT_EQ(listed->at(0).client.user_agent, later.user_agent);
}

TEST_P(StoreContract, SessionListHasTheOwnersLiveSessionsMostRecentlyUsedFirst) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  auto open = [&](const UserRecord& who, core::Micros created, core::Micros ttl,
                  const std::string& hash) {
    SessionRecord s{new_session_id(), who.id, created, created + ttl, std::nullopt};
    EXPECT_TRUE(sessions().open_session(s, hash));
    return s;
  };
  const auto oldest = open(alice, kT0, kHour, "a1");
  const auto newer = open(alice, kT0 + 1, kHour, "a2");
  const auto revoked = open(alice, kT0 + 2, kHour, "a3");
  const auto expired = open(alice, kT0 + 3, 10, "a4");
  const auto bobs = open(bob, kT0 + 4, kHour, "b1");
  ASSERT_TRUE(sessions().revoke_session(alice.id, revoked.id, kT0 + 5));
  // Refreshing the oldest makes it the most recently used.
  ASSERT_TRUE(sessions().rotate_refresh_token({"a1", "a1b"}, kT0 + 6, {}));

  // The ids a listing returns, in its order.
  auto ids = [&](UserId owner, core::Micros now, int limit) {
    auto listed = sessions().list_sessions(owner, now, limit);
    EXPECT_TRUE(listed.has_value());
    std::vector<SessionId> out;
    if (listed) {
      for (const auto& s : *listed) out.push_back(s.id);
    }
    return out;
  };
  EXPECT_EQ(ids(alice.id, kT0 + 20, 10), (std::vector<SessionId>{oldest.id, newer.id}));
  EXPECT_EQ(ids(alice.id, kT0 + 20, 1), (std::vector<SessionId>{oldest.id}));
  // Before it expired, the short session was listed too.
  EXPECT_EQ(ids(alice.id, kT0 + 4, 10), (std::vector<SessionId>{oldest.id, expired.id, newer.id}));
  EXPECT_EQ(ids(bob.id, kT0 + 20, 10), (std::vector<SessionId>{bobs.id}));
  EXPECT_EQ(sessions().list_sessions(new_user_id(), kT0, 10).value().size(), 0u);
}

TEST_P(StoreContract, ConcurrentRotationsOfOneTokenHaveExactlyOneWinner) {
  const auto alice = add_user("alice");
  add_session(alice, "h1");
  std::atomic<int> wins{0}, losses{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = sessions().rotate_refresh_token({"h1", "next" + std::to_string(i)}, kT0 + 1, {});
      if (r) {
        ++wins;
      } else {
        ++losses;
        EXPECT_EQ(r.error().code, Errc::unauthenticated);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(losses.load(), 3);
}

// ---- refresh reuse interval ---------------------------------------------------------

constexpr core::Micros kSecond = 1'000'000;
constexpr core::Micros kReuse = 10 * kSecond;

TEST_P(StoreContract, ReplayWithinTheReuseIntervalReturnsTheLiveTokensSealAndWritesNothing) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  auto rotated = sessions().rotate_refresh_token({"h1", "h2", "seal-of-h2", kReuse}, kT0 + 10, {});
  ASSERT_TRUE(rotated.has_value());
  EXPECT_EQ(rotated->live_sealed, std::nullopt);

  auto replay = sessions().rotate_refresh_token({"h1", "hx", "seal-of-hx", kReuse},
                                                kT0 + 10 + kReuse, {"192.0.2.9", "other tab"});
  ASSERT_TRUE(replay.has_value()) << replay.error().detail;
  EXPECT_EQ(replay->live_sealed, "seal-of-h2");
  EXPECT_EQ(replay->session.id, s.id);
  EXPECT_EQ(replay->session.user_id, alice.id);
  // Nothing was rotated: the candidate successor was never stored, the live token still
  // rotates, and the session's last use is the real rotation's.
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"hx", "hy"}, kT0 + 20 + kReuse, {})),
            Errc::unauthenticated);
  auto listed = sessions().list_sessions(alice.id, kT0 + 20 + kReuse, 10);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).refreshed_at, kT0 + 10);
  EXPECT_EQ(listed->at(0).client.user_agent, "");
  EXPECT_TRUE(sessions().rotate_refresh_token({"h2", "h3"}, kT0 + 30 + kReuse, {}).has_value());
  EXPECT_TRUE(sessions().check_session(alice.id, s.id, kT0 + 40 + kReuse).has_value());
}

TEST_P(StoreContract, ReplayAfterTheReuseIntervalRevokesTheSession) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  ASSERT_TRUE(sessions().rotate_refresh_token({"h1", "h2", "seal-of-h2", kReuse}, kT0 + 10, {}));
  auto replay =
      sessions().rotate_refresh_token({"h1", "hx", "seal-of-hx", kReuse}, kT0 + 11 + kReuse, {});
  ASSERT_FALSE(replay.has_value());
  EXPECT_EQ(replay.error().detail, kRefreshTokenReused);
  EXPECT_EQ(code_of(sessions().check_session(alice.id, s.id, kT0 + 12 + kReuse)),
            Errc::unauthenticated);
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"h2", "h3"}, kT0 + 13 + kReuse, {})),
            Errc::unauthenticated);
}

TEST_P(StoreContract, ReplayOfAnOlderAncestorRevokesEvenWithinTheInterval) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  ASSERT_TRUE(sessions().rotate_refresh_token({"h1", "h2", "seal-of-h2", kReuse}, kT0 + 10, {}));
  ASSERT_TRUE(sessions().rotate_refresh_token({"h2", "h3", "seal-of-h3", kReuse}, kT0 + 20, {}));
  // h1's successor h2 is spent: h1 is no longer the parent of the live token.
  auto replay = sessions().rotate_refresh_token({"h1", "hx", "seal-of-hx", kReuse}, kT0 + 30, {});
  ASSERT_FALSE(replay.has_value());
  EXPECT_EQ(replay.error().detail, kRefreshTokenReused);
  EXPECT_EQ(code_of(sessions().check_session(alice.id, s.id, kT0 + 40)), Errc::unauthenticated);
}

TEST_P(StoreContract, ReplayIsNotForgivenWhenTheRotationKeptNoSealOrTheCallAllowsNoInterval) {
  const auto alice = add_user("alice");
  const auto kept_none = add_session(alice, "a1");
  ASSERT_TRUE(sessions().rotate_refresh_token({"a1", "a2"}, kT0 + 10, {}));
  EXPECT_EQ(code_of(sessions().rotate_refresh_token({"a1", "ax", "seal", kReuse}, kT0 + 11, {})),
            Errc::unauthenticated);
  EXPECT_EQ(code_of(sessions().check_session(alice.id, kept_none.id, kT0 + 12)),
            Errc::unauthenticated);

  const auto strict = add_session(alice, "b1");
  ASSERT_TRUE(sessions().rotate_refresh_token({"b1", "b2", "seal-of-b2", kReuse}, kT0 + 10, {}));
  auto replay = sessions().rotate_refresh_token({"b1", "bx"}, kT0 + 11, {});
  ASSERT_FALSE(replay.has_value());
  EXPECT_EQ(replay.error().detail, kRefreshTokenReused);
  EXPECT_EQ(code_of(sessions().check_session(alice.id, strict.id, kT0 + 12)),
            Errc::unauthenticated);
}

TEST_P(StoreContract, ConcurrentRefreshesWithinTheIntervalRotateOnceAndAllGetTheLiveToken) {
  const auto alice = add_user("alice");
  const auto s = add_session(alice, "h1");
  constexpr int kTabs = 4;
  std::array<std::optional<std::string>, kTabs> got;
  std::atomic<int> rotations{0}, forgiven{0}, failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kTabs; ++i) {
    threads.emplace_back([&, i] {
      const auto next = "next" + std::to_string(i);
      const auto seal = "seal-of-" + next;
      auto r = sessions().rotate_refresh_token({"h1", next, seal, kReuse}, kT0 + 1, {});
      if (!r) {
        ++failures;
      } else if (r->live_sealed) {
        ++forgiven;
        got[i] = *r->live_sealed;
      } else {
        ++rotations;
        got[i] = seal;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(rotations.load(), 1);
  EXPECT_EQ(forgiven.load(), kTabs - 1);
  EXPECT_EQ(failures.load(), 0);
  for (const auto& g : got) EXPECT_EQ(g, got[0]) << "every tab holds the one live token";
  EXPECT_TRUE(sessions().check_session(alice.id, s.id, kT0 + 2).has_value());
}

// ---- items ----------------------------------------------------------------------------

TEST_P(StoreContract, CreatedItemIsReturnedAndFound) {
  const auto alice = add_user("alice");
  const ItemId id = new_item_id();
  auto created = items().create_item(alice.id, {id, "t", "c", "{\"a\":[1,2]}"}, kT0 + 5);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->id, id);
  EXPECT_EQ(created->user_id, alice.id);
  EXPECT_EQ(created->created_at, kT0 + 5);
  EXPECT_EQ(created->updated_at, kT0 + 5);
  auto got = items().get_item(alice.id, id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->title, "t");
  EXPECT_EQ(got->content, "c");
  EXPECT_EQ(got->metadata_json, "{\"a\":[1,2]}");
  EXPECT_EQ(got->user_id, alice.id);
  EXPECT_EQ(got->created_at, kT0 + 5);
  EXPECT_EQ(got->updated_at, kT0 + 5);
}

TEST_P(StoreContract, MetadataNullAndObjectTextRoundTrip) {
  const auto alice = add_user("alice");
  const ItemId with_null = new_item_id(), with_obj = new_item_id();
  ASSERT_TRUE(items().create_item(alice.id, {with_null, "a", "", std::nullopt}, kT0));
  ASSERT_TRUE(items().create_item(alice.id, {with_obj, "b", "", "{\"x\":null}"}, kT0));
  EXPECT_EQ(items().get_item(alice.id, with_null)->metadata_json, std::nullopt);
  EXPECT_EQ(items().get_item(alice.id, with_obj)->metadata_json, "{\"x\":null}");
  // A patch that clears the metadata.
  ItemPatch clear;
  clear.clear_metadata = true;
  auto cleared = items().update_item(alice.id, with_obj, clear, kT0 + 1);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->metadata_json, std::nullopt);
  EXPECT_EQ(items().get_item(alice.id, with_obj)->metadata_json, std::nullopt);
}

// Issue 9: what "no metadata" is belongs to data::ItemService; a store keeps the object text
// it is given. Issue 10: the database itself refuses metadata that is not an object (the
// JSON literal null included), on every backend and for every surface, and keeps the row.
TEST_P(StoreContract, MetadataThatIsNotAnObjectIsRefused) {
  const auto alice = add_user("alice");
  for (const char* meta : {"null", "[1,2]", "\"text\"", "3"}) {
    EXPECT_EQ(code_of(items().create_item(alice.id, {new_item_id(), "a", "", meta}, kT0)),
              Errc::invalid_input)
        << meta;
  }
  EXPECT_TRUE(items().list_items(alice.id, 10, 0)->empty()) << "nothing was stored";
  const ItemId id = new_item_id();
  ASSERT_TRUE(items().create_item(alice.id, {id, "a", "", "{\"k\":[1,2]}"}, kT0));
  EXPECT_EQ(code_of(items().update_item(alice.id, id, metadata_patch("[1,2]"), kT0 + 1)),
            Errc::invalid_input);
  auto kept = items().get_item(alice.id, id);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->metadata_json, "{\"k\":[1,2]}");
  EXPECT_EQ(kept->updated_at, kT0);
}

// The JSON literal null, through the service that gives it its meaning, on every backend: a
// created item has no metadata, and a patch carrying it clears the metadata (moved here from
// the store methods, issue 9).
TEST_P(StoreContract, ThroughTheItemServiceJsonNullMetadataIsNone) {
  const auto alice = add_user("alice");
  core::FixedClock clock(kT0);
  data::ItemService service(items(), clock, core::system_random());
  auto with_null = service.create(alice.id, {ItemId{}, "a", "", "null"});
  ASSERT_TRUE(with_null.has_value()) << with_null.error().detail;
  EXPECT_EQ(with_null->metadata_json, std::nullopt);
  EXPECT_EQ(items().get_item(alice.id, with_null->id)->metadata_json, std::nullopt);

  auto with_obj = service.create(alice.id, {ItemId{}, "b", "", "{\"x\":null}"});
  ASSERT_TRUE(with_obj.has_value());
  EXPECT_EQ(items().get_item(alice.id, with_obj->id)->metadata_json, "{\"x\":null}");
  clock.advance_us(1);
  auto cleared = service.update(alice.id, with_obj->id, metadata_patch("null"));
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->metadata_json, std::nullopt);
  EXPECT_EQ(items().get_item(alice.id, with_obj->id)->metadata_json, std::nullopt);
}

TEST_P(StoreContract, UnicodeRoundTripsExactly) {
  const std::string text =
      "emoji \xF0\x9F\x94\x90\xF0\x9F\x91\x8D, CJK \xE6\xBC\xA2\xE5\xAD\x97, "
      "combining e\xCC\x81, RTL \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D";
  const UserId uid = new_user_id();
  ASSERT_TRUE(users().create_user({uid, "u@example.com", json{{"n", text}}.dump(), "h"}, kT0));
  EXPECT_EQ(json::parse(users().find_user(uid)->user_metadata)["n"], text);
  const ItemId id = new_item_id();
  const std::string meta = "{\"note\":\"" + text + "\"}";
  ASSERT_TRUE(items().create_item(uid, {id, text, text + text, meta}, kT0));
  auto got = items().get_item(uid, id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->title, text);
  EXPECT_EQ(got->content, text + text);
  EXPECT_EQ(got->metadata_json, meta);
}

// Issue 8: PostgreSQL cut text at a NUL (libpq parameters are C strings) and answered as if
// all was stored; SQLite stored it whole. Every backend now refuses it, and stores nothing.
TEST_P(StoreContract, TextWithANulIsRefusedAndNothingIsStored) {
  const std::string nul("a\0b", 3);
  const UserId uid = new_user_id();
  EXPECT_EQ(code_of(users().create_user({uid, "nul@example.com", R"({"n":"a\u0000b"})", "h"}, kT0)),
            Errc::invalid_input)
      << "user_metadata";
  EXPECT_EQ(code_of(users().find_user(uid)), Errc::not_found);
  EXPECT_EQ(code_of(users().create_user({uid, "nul" + nul + "@example.com", "{}", "h"}, kT0)),
            Errc::invalid_input)
      << "email";
  EXPECT_EQ(code_of(users().find_user(uid)), Errc::not_found);

  const auto alice = add_user("alice");
  struct NewCase {
    const char* what;
    NewItem item;
  };
  const NewCase creates[] = {
      {"title", {new_item_id(), nul, "c", std::nullopt}},
      {"content", {new_item_id(), "t", nul, std::nullopt}},
      {"metadata value", {new_item_id(), "t", "c", R"({"k":"a\u0000b"})"}},
      {"metadata key", {new_item_id(), "t", "c", R"({"a\u0000":1})"}},
  };
  for (const auto& c : creates) {
    EXPECT_EQ(code_of(items().create_item(alice.id, c.item, kT0)), Errc::invalid_input) << c.what;
  }
  EXPECT_TRUE(items().list_items(alice.id, 10, 0)->empty()) << "nothing was stored";

  const auto item = add_item(alice, "kept", kT0);
  const ItemPatch patches[] = {title_patch(nul), content_patch(nul),
                               metadata_patch(R"({"k":["\u0000"]})")};
  for (const auto& p : patches) {
    EXPECT_EQ(code_of(items().update_item(alice.id, item.id, p, kT0 + 1)), Errc::invalid_input);
  }
  auto after = items().get_item(alice.id, item.id);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->title, item.title);
  EXPECT_EQ(after->content, item.content);
  EXPECT_EQ(after->metadata_json, item.metadata_json);
  EXPECT_EQ(after->updated_at, item.updated_at);

  // An escaped backslash before "u0000" is ordinary text, stored as sent.
  const ItemId backslash = new_item_id();
  const std::string meta = R"({"k":"\\u0000"})";
  ASSERT_TRUE(items().create_item(alice.id, {backslash, "t", "c", meta}, kT0));
  EXPECT_EQ(items().get_item(alice.id, backslash)->metadata_json, meta);
}

TEST_P(StoreContract, ListIsNewestFirstWithLimitAndOffset) {
  const auto alice = add_user("alice");
  std::vector<ItemRecord> made;
  for (int i = 0; i < 5; ++i) made.push_back(add_item(alice, "i" + std::to_string(i), kT0 + i));
  // Two items in the same microsecond are ordered by id, descending.
  made.push_back(add_item(alice, "tie-a", kT0 + 10));
  made.push_back(add_item(alice, "tie-b", kT0 + 10));

  std::vector<ItemRecord> expected = made;
  std::sort(expected.begin(), expected.end(), [](const ItemRecord& a, const ItemRecord& b) {
    if (a.created_at != b.created_at) return a.created_at > b.created_at;
    return a.id.str() > b.id.str();
  });
  auto titles = [](const std::vector<ItemRecord>& v, size_t from, size_t n) {
    std::vector<std::string> t;
    for (size_t i = from; i < std::min(v.size(), from + n); ++i) t.push_back(v[i].title);
    return t;
  };
  auto all = items().list_items(alice.id, 100, 0);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(titles(*all, 0, 100), titles(expected, 0, 100));
  auto page = items().list_items(alice.id, 3, 2);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(titles(*page, 0, 100), titles(expected, 2, 3));
  EXPECT_TRUE(items().list_items(alice.id, 3, 7)->empty());
  EXPECT_TRUE(items().list_items(alice.id, 0, 0)->empty());
}

TEST_P(StoreContract, ListShowsOnlyTheOwnersItems) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  add_item(alice, "a1", kT0);
  add_item(bob, "b1", kT0);
  add_item(bob, "b2", kT0 + 1);
  auto mine = items().list_items(alice.id, 100, 0);
  ASSERT_TRUE(mine.has_value());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].title, "a1");
  EXPECT_EQ(items().list_items(bob.id, 100, 0)->size(), 2u);
  EXPECT_TRUE(items().list_items(new_user_id(), 100, 0)->empty());
}

TEST_P(StoreContract, AnotherUsersItemIsNotFoundAndUntouched) {
  const auto alice = add_user("alice");
  const auto bob = add_user("bob");
  const auto item = add_item(bob, "bobs", kT0);
  EXPECT_EQ(code_of(items().get_item(alice.id, item.id)), Errc::not_found);
  EXPECT_EQ(code_of(items().update_item(alice.id, item.id, title_patch("pwned"), kT0 + 1)),
            Errc::not_found);
  EXPECT_EQ(code_of(items().delete_item(alice.id, item.id)), Errc::not_found);
  auto still = items().get_item(bob.id, item.id);
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->title, "bobs");
  EXPECT_EQ(still->updated_at, kT0);
}

TEST_P(StoreContract, UnknownItemIsNotFound) {
  const auto alice = add_user("alice");
  EXPECT_EQ(code_of(items().get_item(alice.id, new_item_id())), Errc::not_found);
  EXPECT_EQ(code_of(items().update_item(alice.id, new_item_id(), title_patch("x"), kT0)),
            Errc::not_found);
  EXPECT_EQ(code_of(items().delete_item(alice.id, new_item_id())), Errc::not_found);
}

TEST_P(StoreContract, UpdateChangesOnlyTheGivenFields) {
  const auto alice = add_user("alice");
  const auto item = add_item(alice, "old", kT0);
  auto updated = items().update_item(alice.id, item.id, content_patch("new content"), kT0 + 100);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->title, "old");
  EXPECT_EQ(updated->content, "new content");
  EXPECT_EQ(updated->metadata_json, item.metadata_json);
  EXPECT_EQ(updated->created_at, kT0);
  EXPECT_EQ(updated->updated_at, kT0 + 100);
  auto got = items().get_item(alice.id, item.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->content, "new content");
  EXPECT_EQ(got->updated_at, kT0 + 100);
}

TEST_P(StoreContract, UpdateAdvancesUpdatedAtEvenWithoutClockProgress) {
  const auto alice = add_user("alice");
  const auto item = add_item(alice, "t", kT0);
  auto first = items().update_item(alice.id, item.id, title_patch("t1"), kT0);
  auto second = items().update_item(alice.id, item.id, title_patch("t2"), kT0);
  auto backwards = items().update_item(alice.id, item.id, title_patch("t3"), kT0 - 50);
  ASSERT_TRUE(first && second && backwards);
  EXPECT_EQ(first->updated_at, kT0 + 1);
  EXPECT_EQ(second->updated_at, kT0 + 2);
  EXPECT_EQ(backwards->updated_at, kT0 + 3);
  EXPECT_EQ(items().get_item(alice.id, item.id)->updated_at, kT0 + 3);
}

TEST_P(StoreContract, DeletedItemIsGone) {
  const auto alice = add_user("alice");
  const auto keep = add_item(alice, "keep", kT0);
  const auto item = add_item(alice, "gone", kT0);
  ASSERT_TRUE(items().delete_item(alice.id, item.id));
  EXPECT_EQ(code_of(items().get_item(alice.id, item.id)), Errc::not_found);
  EXPECT_EQ(code_of(items().delete_item(alice.id, item.id)), Errc::not_found);
  EXPECT_TRUE(items().get_item(alice.id, keep.id).has_value());
}

}  // namespace latchkey::store::testing
