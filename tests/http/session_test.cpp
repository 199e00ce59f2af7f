// Sessions: logout, refresh-token rotation and reuse detection.
#include <array>
#include <atomic>
#include <set>
#include <thread>

#include "backends.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(SessionTest, both);

class SessionTest : public ApiTest {
 protected:
  Response refresh(std::string_view token) {
    return client().post("/auth/refresh", {{"refresh_token", std::string(token)}});
  }
  Response me(std::string_view token) { return client().get("/auth/me", bearer(token)); }
};

TEST_F(SessionTest, LogoutRevokesAccessAndRefreshToken) {
  const Account a = new_account("logout");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_EQ(me(a.access_token).status, 200);

  const Response out = client().post("/auth/logout", json::object(), a.auth());
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(out.json(), json({{"message", "Successfully logged out"}})) << out.body;

  EXPECT_TRUE(IsUnauthorized(me(a.access_token)));
  EXPECT_TRUE(IsUnauthorized(client().get("/data", a.auth())));
  EXPECT_TRUE(IsErrorBody(refresh(a.refresh_token), 401));
  // Logging out twice with the same token is a revoked token, not a success.
  EXPECT_TRUE(IsUnauthorized(client().post("/auth/logout", json::object(), a.auth())));
}

// Issue 8: the session used to be checked after validation, so a revoked token still learned
// 404/422 answers. Authentication comes first on every protected route.
TEST_F(SessionTest, ARevokedTokenIs401WhateverTheRequest) {
  const Account a = new_account("revokedfirst");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_EQ(client().post("/auth/logout", json::object(), a.auth()).status, 200);
  struct Case {
    const char* method;
    const char* target;
    const char* body;
  };
  const Case cases[] = {
      {"GET", "/data/not-a-uuid", ""},
      {"GET", "/data?limit=0", ""},
      {"GET", "/data?offset=-1", ""},
      {"POST", "/data", R"({"title":""})"},
      {"POST", "/data", "{not json"},
      {"PUT", "/data/not-a-uuid", R"({"title":""})"},
      {"PUT", "/data/00000000-0000-4000-8000-000000000000", "[]"},
      {"DELETE", "/data/not-a-uuid", ""},
      {"GET", "/auth/me", ""},
  };
  for (const auto& c : cases) {
    const Response r = client().request(c.method, c.target, a.auth(), c.body);
    EXPECT_TRUE(IsUnauthorized(r)) << c.method << " " << c.target << " " << c.body;
  }
}

TEST_F(SessionTest, LogoutWithoutBodyWorks) {
  const Account a = new_account("logoutnobody");
  ASSERT_TRUE(a.ok) << a.error;
  const Response out = client().request("POST", "/auth/logout", a.auth());
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_TRUE(IsUnauthorized(me(a.access_token)));
}

TEST_F(SessionTest, LogoutEndsOnlyThatSession) {
  const Account a = new_account("twosessions");
  ASSERT_TRUE(a.ok) << a.error;
  const Response login =
      client().post("/auth/login", {{"email", a.email}, {"password", a.password}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string other_access = login.json()["access_token"];
  const std::string other_refresh = login.json()["refresh_token"];

  ASSERT_EQ(client().post("/auth/logout", json::object(), a.auth()).status, 200);
  EXPECT_EQ(me(other_access).status, 200);
  EXPECT_EQ(refresh(other_refresh).status, 200);
}

// The session list (GET /auth/sessions) shows each device as its last sign-in or refresh
// showed it; DELETE /auth/sessions/{id} ends that one session only, and only the owner's.
TEST_F(SessionTest, SessionsListShowsEachDeviceAndRevokingOneEndsOnlyIt) {
  const Account a = new_account("devices");
  ASSERT_TRUE(a.ok) << a.error;
  Headers phone_ua = {{"User-Agent", "PhoneApp/1.0 (Android 14)"}};
  const Response login =
      client().post("/auth/login", {{"email", a.email}, {"password", a.password}}, phone_ua);
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string phone_session =
      jwt_part(login.json()["access_token"].get<std::string>(), 1)["session_id"];
  const std::string laptop_session = jwt_part(a.access_token, 1)["session_id"];

  const Response listed = client().get("/auth/sessions", a.auth());
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json sessions = listed.json();
  ASSERT_TRUE(sessions.is_array()) << listed.body;
  ASSERT_EQ(sessions.size(), 2u) << listed.body;
  EXPECT_EQ(sessions[0]["id"], phone_session) << "the most recently used first";
  EXPECT_EQ(sessions[0]["current"], false);
  EXPECT_EQ(sessions[0]["user_agent"], "PhoneApp/1.0 (Android 14)");
  EXPECT_EQ(sessions[0]["ip"], "127.0.0.1");
  EXPECT_EQ(sessions[0]["sign_in_method"], "password");
  EXPECT_EQ(sessions[0]["last_used_at"], sessions[0]["created_at"]) << "never refreshed yet";
  EXPECT_TRUE(sessions[0]["expires_at"].is_string());
  EXPECT_EQ(sessions[1]["id"], laptop_session);
  EXPECT_EQ(sessions[1]["current"], true);

  // A refresh from an updated app is the session's new device and last use.
  const Response renewed =
      client().post("/auth/refresh", {{"refresh_token", login.json()["refresh_token"]}},
                    {{"User-Agent", "PhoneApp/1.1 (Android 14) \xe2\x9c\x93"}});
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  const json after = client().get("/auth/sessions", a.auth()).json();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0]["id"], phone_session);
  EXPECT_EQ(after[0]["user_agent"], "PhoneApp/1.1 (Android 14) ???") << "only printable ASCII";
  EXPECT_GE(after[0]["last_used_at"].get<std::string>(), after[0]["created_at"].get<std::string>());

  // Another user can neither see nor end them.
  const Account b = new_account("devices-other");
  ASSERT_TRUE(b.ok) << b.error;
  const json theirs = client().get("/auth/sessions", b.auth()).json();
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0]["current"], true);
  EXPECT_TRUE(
      IsError(client().del("/auth/sessions/" + phone_session, b.auth()), 404, "Session not found"));
  EXPECT_TRUE(
      IsError(client().del("/auth/sessions/not-a-uuid", b.auth()), 404, "Session not found"));
  const std::string phone_access = renewed.json()["access_token"];
  EXPECT_EQ(me(phone_access).status, 200);

  // The owner ends the phone's session: its tokens die at once, the laptop's live on.
  const Response revoked = client().del("/auth/sessions/" + phone_session, a.auth());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json(), json({{"message", "Session revoked"}}));
  EXPECT_TRUE(IsUnauthorized(me(phone_access)));
  EXPECT_TRUE(IsErrorBody(refresh(renewed.json()["refresh_token"].get<std::string>()), 401));
  EXPECT_EQ(me(a.access_token).status, 200);
  const json left = client().get("/auth/sessions", a.auth()).json();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], laptop_session);

  // Ending one's own current session is a logout.
  ASSERT_EQ(client().del("/auth/sessions/" + laptop_session, a.auth()).status, 200);
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/sessions", a.auth())));
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/sessions")));
  EXPECT_TRUE(IsUnauthorized(client().del("/auth/sessions/" + laptop_session)));
}

TEST_F(SessionTest, LogoutWithoutTokenIs401) {
  EXPECT_TRUE(IsUnauthorized(client().post("/auth/logout", json::object())));
}

TEST_F(SessionTest, RefreshReturnsANewWorkingPair) {
  const Account a = new_account("refresh");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_FALSE(a.refresh_token.empty()) << a.body.dump();
  const Response r = refresh(a.refresh_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json();
  ASSERT_TRUE(j["access_token"].is_string() && j["refresh_token"].is_string()) << r.body;
  EXPECT_NE(j["refresh_token"], a.refresh_token);
  EXPECT_EQ(j.value("token_type", ""), "bearer");
  EXPECT_TRUE(j["expires_in"].is_number_integer()) << r.body;
  EXPECT_TRUE(j["expires_at"].is_number_integer()) << r.body;
  EXPECT_EQ(j["user"]["id"], a.id);
  EXPECT_EQ(j["user"]["email"], a.email);
  EXPECT_EQ(jwt_part(j["access_token"].get<std::string>(), 1).value("sub", ""), a.id);

  const Response who = me(j["access_token"].get<std::string>());
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.json()["id"], a.id);
  // The rotated token is itself usable once.
  EXPECT_EQ(refresh(j["refresh_token"].get<std::string>()).status, 200);
}

TEST_F(SessionTest, RefreshTokenIsSingleUse) {
  const Account a = new_account("single");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_EQ(refresh(a.refresh_token).status, 200);
  EXPECT_TRUE(IsErrorBody(refresh(a.refresh_token), 401));
}

TEST_F(SessionTest, ReusingARefreshTokenRevokesTheWholeSession) {
  const Account a = new_account("reuse");
  ASSERT_TRUE(a.ok) << a.error;
  const Response first = refresh(a.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string newest_refresh = first.json()["refresh_token"];
  const std::string newest_access = first.json()["access_token"];
  ASSERT_EQ(me(newest_access).status, 200);

  // Someone replays the old token: the server cannot tell thief from owner, so the session
  // ends for both.
  EXPECT_TRUE(IsErrorBody(refresh(a.refresh_token), 401));
  EXPECT_TRUE(IsErrorBody(refresh(newest_refresh), 401));
  EXPECT_TRUE(IsUnauthorized(me(newest_access)));
  EXPECT_TRUE(IsUnauthorized(me(a.access_token)));
}

TEST_F(SessionTest, ReuseDoesNotEndTheUsersOtherSessions) {
  const Account a = new_account("reuseother");
  ASSERT_TRUE(a.ok) << a.error;
  const Response login =
      client().post("/auth/login", {{"email", a.email}, {"password", a.password}});
  ASSERT_EQ(login.status, 200) << login.body;
  ASSERT_EQ(refresh(a.refresh_token).status, 200);
  ASSERT_EQ(refresh(a.refresh_token).status, 401);
  EXPECT_EQ(me(login.json()["access_token"].get<std::string>()).status, 200);
}

TEST_F(SessionTest, GarbageRefreshTokenIs401) {
  EXPECT_TRUE(IsErrorBody(refresh("not-a-refresh-token"), 401));
  EXPECT_TRUE(IsErrorBody(refresh(""), 401) || IsValidationError(refresh("")));
  // An access token is not a refresh token.
  const Account a = new_account("wrongkind");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(IsErrorBody(refresh(a.access_token), 401));
}

TEST_F(SessionTest, RefreshBodyIsValidated) {
  EXPECT_TRUE(IsValidationError(client().post("/auth/refresh", json::object())));
  EXPECT_TRUE(IsValidationError(client().post("/auth/refresh", {{"refresh_token", 42}})));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/auth/refresh", {}, "{")));
}

TEST_F(SessionTest, ConcurrentRefreshesWithOneTokenSucceedAtMostOnce) {
  // Rotation must be atomic: of racing uses of one token exactly one gets a new pair.
  const Account a = new_account("race");
  ASSERT_TRUE(a.ok) << a.error;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (refresh(a.refresh_token).status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
}

LATCHKEY_SUITE_BACKENDS(RefreshReuseTest, both);

// --refresh-reuse-interval: tabs (or a server render and a browser) that refresh one token at
// once all stay signed in, with the session's one live token.
class RefreshReuseTest : public SessionTest {
 protected:
  static void SetUpTestSuite() {
    start_shared(unthrottled().args({"--refresh-reuse-interval", "30"}));
  }
};

TEST_F(RefreshReuseTest, RacingRefreshesOfOneTokenAllGetTheLiveToken) {
  const Account a = new_account("reuse");
  ASSERT_TRUE(a.ok) << a.error;
  constexpr int kTabs = 6;
  std::array<Response, kTabs> answers;
  std::vector<std::thread> threads;
  for (int i = 0; i < kTabs; ++i)
    threads.emplace_back([&, i] { answers[i] = refresh(a.refresh_token); });
  for (auto& t : threads) t.join();
  std::set<std::string> refresh_tokens, access_tokens;
  for (const auto& r : answers) {
    ASSERT_EQ(r.status, 200) << r.body;
    refresh_tokens.insert(r.json()["refresh_token"].get<std::string>());
    access_tokens.insert(r.json()["access_token"].get<std::string>());
    EXPECT_EQ(me(r.json()["access_token"].get<std::string>()).status, 200);
  }
  ASSERT_EQ(refresh_tokens.size(), 1u) << "one rotation, and every tab holds its token";
  EXPECT_NE(*refresh_tokens.begin(), a.refresh_token);

  // The live token rotates as usual; the first token is now two generations old, and
  // replaying it is a theft: the session ends.
  const Response next = refresh(*refresh_tokens.begin());
  ASSERT_EQ(next.status, 200) << next.body;
  const std::string newest_access = next.json()["access_token"];
  EXPECT_TRUE(IsErrorBody(refresh(a.refresh_token), 401));
  EXPECT_TRUE(IsUnauthorized(me(newest_access)));
  EXPECT_TRUE(IsErrorBody(refresh(next.json()["refresh_token"].get<std::string>()), 401));
}

TEST_F(RefreshReuseTest, TheSupabaseSurfaceForgivesTheSameReplay) {
  const Account a = new_account("reusesb");
  ASSERT_TRUE(a.ok) << a.error;
  auto grant = [&](const std::string& token) {
    return client().post("/auth/v1/token?grant_type=refresh_token", {{"refresh_token", token}},
                         {{"apikey", test_api_key("anon")}});
  };
  const Response first = grant(a.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const Response again = grant(a.refresh_token);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["refresh_token"], first.json()["refresh_token"]);
  EXPECT_EQ(again.json()["user"]["id"], first.json()["user"]["id"]);
}

}  // namespace
}  // namespace latchkey::test
