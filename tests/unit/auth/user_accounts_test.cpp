// UserAccounts and the Supabase additions to AuthService (roles, scopes, bans, API keys), over
// a temporary SQLite store with a FixedClock: no sockets, no sleeps.
#include "auth/user_accounts.hpp"

#include <gtest/gtest.h>

#include "support/services.hpp"

namespace latchkey::auth {
namespace {

using nlohmann::json;
using testing::Services;

constexpr core::Micros kSecond = 1'000'000;

AuthResult registered(Services& s, const std::string& email, const std::string& meta = "{}") {
  auto r = s.auth->register_hashed(email, s.auth->hash_password("password1"), meta, {});
  if (!r) throw std::runtime_error("register failed: " + r.error().detail);
  return std::move(r).value();
}

Principal principal_of(Services& s, const AuthResult& r) {
  return s.auth->verify_access_token(r.tokens.access_token).value();
}

TEST(MergeMetadataTest, SetsKeysAndRemovesNulls) {
  const struct {
    const char* base;
    json patch;
    json want;
  } cases[] = {
      {"{}", {{"a", 1}}, {{"a", 1}}},
      {R"({"a":1,"b":2})", {{"a", nullptr}}, {{"b", 2}}},
      {R"({"a":{"x":1}})", {{"a", {{"y", 2}}}}, {{"a", {{"y", 2}}}}},  // top level only
      {R"({"a":1})", json::object(), {{"a", 1}}},
      {"not json", {{"k", "v"}}, {{"k", "v"}}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(json::parse(merge_metadata(c.base, c.patch)), c.want) << c.base << " + " << c.patch;
  }
}

TEST(UserAccountsTest, DataMergesIntoUserMetadataAndShowsInTheNextToken) {
  Services s;
  const auto r = registered(s, "m@example.com", R"({"full_name":"M","theme":"light"})");
  SelfUpdate change;
  change.data = json{{"theme", "dark"}, {"full_name", nullptr}, {"lang", "fr"}};
  auto updated = s.accounts->update_self(principal_of(s, r), change);
  ASSERT_TRUE(updated) << updated.error().detail;
  EXPECT_EQ(json::parse(updated->user_metadata), json({{"theme", "dark"}, {"lang", "fr"}}));
  auto refreshed = s.auth->refresh(r.tokens.refresh_token, {});
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(json::parse(refreshed->user.user_metadata)["theme"], "dark");
}

TEST(UserAccountsTest, PasswordChangeEndsOtherSessionsOnly) {
  Services s;
  const auto first = registered(s, "p@example.com");
  auto second = s.auth->open_session(first.user, auth::SignInMethod::password, {});
  ASSERT_TRUE(second);
  const auto me = principal_of(s, first);
  auto hash = s.accounts->new_password_hash(first.user, "new-password1");
  ASSERT_TRUE(hash);
  SelfUpdate change;
  change.password_hash = *hash;
  ASSERT_TRUE(s.accounts->update_self(me, change));
  EXPECT_TRUE(s.auth->check_session(me)) << "the caller's session stays";
  EXPECT_FALSE(s.auth->check_session(principal_of(s, *second)));
  EXPECT_TRUE(s.auth->check_credentials("p@example.com", "new-password1"));
  EXPECT_FALSE(s.auth->check_credentials("p@example.com", "password1"));
}

TEST(UserAccountsTest, TheSamePasswordIsRefused) {
  Services s;
  const auto r = registered(s, "same@example.com");
  auto hash = s.accounts->new_password_hash(r.user, "password1");
  ASSERT_FALSE(hash);
  EXPECT_EQ(hash.error().public_code, ErrorCode::same_password);
}

TEST(UserAccountsTest, AdminCreatedUserNeedsConfirmationToSignIn) {
  Services s;
  AdminUserInput in;
  in.email = "new@example.com";
  in.password_hash = s.auth->hash_password("password1");
  in.app_metadata = json{{"plan", "pro"}, {"provider", "ignored"}};
  auto created = s.accounts->create(in);
  ASSERT_TRUE(created) << created.error().detail;
  const auto app = json::parse(created->app_metadata);
  EXPECT_EQ(app["plan"], "pro");
  EXPECT_EQ(app["providers"], json({"email"}));
  auto unconfirmed = s.auth->check_credentials("new@example.com", "password1");
  ASSERT_FALSE(unconfirmed);
  EXPECT_EQ(unconfirmed.error().public_code, ErrorCode::email_not_confirmed);

  AdminUserInput confirm;
  confirm.email_confirm = true;
  ASSERT_TRUE(s.accounts->update(created->id, confirm));
  EXPECT_TRUE(s.auth->check_credentials("new@example.com", "password1"));
}

TEST(UserAccountsTest, ABanEndsSessionsAndRefusesSignInUntilItEnds) {
  Services s;
  const auto r = registered(s, "ban@example.com");
  AdminUserInput ban;
  ban.ban_seconds = 3600;
  ASSERT_TRUE(s.accounts->update(r.user.id, ban));
  EXPECT_FALSE(s.auth->check_session(principal_of(s, r))) << "tokens stop working at once";
  EXPECT_FALSE(s.auth->refresh(r.tokens.refresh_token, {}));
  auto refused = s.auth->check_credentials("ban@example.com", "password1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().public_code, ErrorCode::user_banned);
  s.clock.advance_us(3601 * kSecond);
  EXPECT_TRUE(s.auth->check_credentials("ban@example.com", "password1")) << "the ban is over";

  AdminUserInput again = ban;
  ASSERT_TRUE(s.accounts->update(r.user.id, again));
  AdminUserInput lift;
  lift.ban_seconds = 0;
  ASSERT_TRUE(s.accounts->update(r.user.id, lift));
  EXPECT_TRUE(s.auth->check_credentials("ban@example.com", "password1"));
}

TEST(UserAccountsTest, AdminGetOfAnUnknownIdIsNotFound) {
  Services s;
  auto got = s.accounts->get(UserId{core::Uuid::random_v4()});
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::not_found);
  EXPECT_EQ(got.error().public_code, ErrorCode::user_not_found);
  EXPECT_FALSE(s.accounts->remove(UserId{core::Uuid::random_v4()}));
}

TEST(LogoutScopeTest, EachScopeEndsTheSessionsItNames) {
  Services s;
  const auto a = registered(s, "scope@example.com");
  auto b = s.auth->open_session(a.user, auth::SignInMethod::password, {}).value();
  auto c = s.auth->open_session(a.user, auth::SignInMethod::password, {}).value();
  ASSERT_TRUE(s.auth->logout(principal_of(s, b), LogoutScope::others));
  EXPECT_TRUE(s.auth->check_session(principal_of(s, b)));
  EXPECT_FALSE(s.auth->check_session(principal_of(s, a)));
  EXPECT_FALSE(s.auth->check_session(principal_of(s, c)));
  auto d = s.auth->open_session(a.user, auth::SignInMethod::password, {}).value();
  ASSERT_TRUE(s.auth->logout(principal_of(s, d), LogoutScope::global));
  EXPECT_FALSE(s.auth->check_session(principal_of(s, b)));
  EXPECT_FALSE(s.auth->check_session(principal_of(s, d)));
}

TEST(ApiKeyTest, KeysVerifyByRoleAndNeverPassAsUserTokens) {
  Services s;
  const auto anon = s.auth->mint_api_key(Role::anon, 3600);
  const auto service = s.auth->mint_api_key(Role::service_role, 3600);
  EXPECT_EQ(s.auth->verify_api_key(anon).value(), Role::anon);
  EXPECT_EQ(s.auth->verify_api_key(service).value(), Role::service_role);
  EXPECT_EQ(s.auth->verify_bearer(service).value().role, Role::service_role);
  EXPECT_FALSE(s.auth->verify_bearer(service).value().is_user());
  EXPECT_FALSE(s.auth->verify_access_token(service)) << "a key is no user token";

  const auto user = registered(s, "k@example.com");
  EXPECT_FALSE(s.auth->verify_api_key(user.tokens.access_token)) << "a user token is no key";
  EXPECT_EQ(s.auth->verify_bearer(user.tokens.access_token).value().role, Role::authenticated);

  std::string forged = service;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  auto refused = s.auth->verify_api_key(forged);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().public_code, ErrorCode::invalid_api_key);

  s.clock.advance_us(3600 * kSecond + 31 * kSecond);
  EXPECT_FALSE(s.auth->verify_api_key(anon)) << "expired";
  auto expired = s.auth->verify_bearer(anon);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().public_code, ErrorCode::token_expired);
}

TEST(ApiKeyTest, UnknownRolesAreRefused) {
  Services s;
  crypto::JwtCodec& jwt = s.jwt;
  const auto odd = jwt.sign_api_key({"postgres", s.clock.now_s(), std::nullopt});
  EXPECT_FALSE(s.auth->verify_api_key(odd));
  EXPECT_FALSE(s.auth->verify_bearer(odd));
  const auto admin = jwt.sign_api_key({"supabase_admin", s.clock.now_s(), std::nullopt});
  EXPECT_EQ(s.auth->verify_api_key(admin).value(), Role::service_role);
}

}  // namespace
}  // namespace latchkey::auth

namespace latchkey::auth {
namespace {

// Metadata rides in every access token; at its bound the token must still verify.
TEST(MetadataSizeTest, MetadataAtItsBoundStillMakesAUsableToken) {
  testing::Services s;
  std::string big = nlohmann::json{{"k", std::string(kMaxUserMetadataBytes - 8, 'x')}}.dump();
  ASSERT_LE(big.size(), kMaxUserMetadataBytes);
  ASSERT_TRUE(check_metadata_size(big, "user_metadata"));
  auto r = s.auth->register_hashed("big@example.com", s.auth->hash_password("password1"), big, {});
  ASSERT_TRUE(r);
  AdminUserInput app;
  app.app_metadata = nlohmann::json{{"a", std::string(kMaxAppMetadataBytes - 80, 'y')}};
  ASSERT_TRUE(s.accounts->update(r->user.id, app));
  auto refreshed = s.auth->refresh(r->tokens.refresh_token, {});
  ASSERT_TRUE(refreshed);
  EXPECT_TRUE(s.auth->verify_access_token(refreshed->tokens.access_token))
      << refreshed->tokens.access_token.size() << " bytes";

  SelfUpdate grow;
  grow.data = nlohmann::json{{"more", std::string(100, 'z')}};
  auto refused = s.accounts->update_self(s.auth->verify_access_token(r->tokens.access_token).value(),
                                         grow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().public_code, ErrorCode::validation_failed);
  EXPECT_FALSE(check_metadata_size(std::string(kMaxAppMetadataBytes + 1, 'a'), "app_metadata"));
}

}  // namespace
}  // namespace latchkey::auth
