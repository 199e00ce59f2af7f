// /auth/v1 over HTTP, as the real server answers it: the gateway's apikey check, the
// 2024-01-01 error model, one token for both surfaces, logout scopes, the admin API's guard
// and paging, and `latchkey keys`. supabase-js itself drives the same routes in
// SupabaseJsTest; these pin the wire details a client library hides.
#include <cctype>

#include "backends.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(SupabaseAuthTest, both);

int64_t now_s() { return now_us() / 1'000'000; }

Headers with_key(const std::string& key, std::optional<std::string> bearer_token = {}) {
  Headers h{{"apikey", key}, {"X-Supabase-Api-Version", "2024-01-01"}};
  h.push_back({"Authorization", "Bearer " + bearer_token.value_or(key)});
  return h;
}

class SupabaseAuthTest : public ApiTest {
 protected:
  const std::string anon = test_api_key("anon");
  const std::string service = test_api_key("service_role");

  json sign_up(const std::string& email, const std::string& password, json data = json::object()) {
    const Response r = client().post("/auth/v1/signup",
                                     {{"email", email}, {"password", password}, {"data", data}},
                                     with_key(anon));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  Response sign_in(const std::string& email, const std::string& password) {
    return client().post("/auth/v1/token?grant_type=password",
                         {{"email", email}, {"password", password}}, with_key(anon));
  }
};

TEST_F(SupabaseAuthTest, EveryRouteButTheOpenOnesWantsAnApiKey) {
  const Response missing = client().get("/auth/v1/settings");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.json()["message"], "No API key found in request") << missing.body;
  const Response forged = client().get("/auth/v1/settings", {{"apikey", anon + "x"}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(forged.json()["code"], "invalid_api_key") << forged.body;
  EXPECT_EQ(client().get("/auth/v1/settings?apikey=" + anon).status, 200) << "query form";
  EXPECT_EQ(client().get("/auth/v1/settings", {{"apikey", anon}}).json()["mailer_autoconfirm"],
            true);
  const Response jwks = client().get("/auth/v1/.well-known/jwks.json");
  EXPECT_EQ(jwks.status, 200) << "open route";
  EXPECT_EQ(jwks.json(), json({{"keys", json::array()}})) << "an HS256 secret is never listed";
  // A user's access token is no API key.
  const auto account = new_account("sbkey");
  EXPECT_EQ(client().get("/auth/v1/settings", {{"apikey", account.access_token}}).status, 401);
}

TEST_F(SupabaseAuthTest, SignUpReturnsASupabaseSessionWithTheUserObject) {
  const std::string email = unique_email("SbSignup");
  const json s = sign_up(email, unique_password(), {{"display_name", "Ada"}});
  EXPECT_EQ(s["token_type"], "bearer");
  EXPECT_GT(s["expires_in"].get<int64_t>(), 90);
  EXPECT_NEAR(s["expires_at"].get<int64_t>(), now_s() + s["expires_in"].get<int64_t>(), 5);
  EXPECT_FALSE(s["refresh_token"].get<std::string>().empty());
  const json& u = s["user"];
  EXPECT_TRUE(is_uuid(u["id"].get<std::string>()));
  std::string lowered = email;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(u["email"], lowered) << "stored and returned lower-cased";
  EXPECT_EQ(u["aud"], "authenticated");
  EXPECT_EQ(u["role"], "authenticated");
  EXPECT_EQ(u["phone"], "");
  EXPECT_EQ(u["is_anonymous"], false);
  EXPECT_EQ(u["user_metadata"], json({{"display_name", "Ada"}}));
  EXPECT_EQ(u["app_metadata"], json({{"provider", "email"}, {"providers", {"email"}}}));
  EXPECT_TRUE(parse_time_us(u["email_confirmed_at"].get<std::string>()));
  EXPECT_TRUE(parse_time_us(u["last_sign_in_at"].get<std::string>()));
  ASSERT_EQ(u["identities"].size(), 1u);
  EXPECT_EQ(u["identities"][0]["provider"], "email");
  EXPECT_EQ(u["identities"][0]["user_id"], u["id"]);

  const json claims = jwt_part(s["access_token"].get<std::string>(), 1);
  for (const char* claim : {"iss", "sub", "aud", "exp", "iat", "email", "phone", "app_metadata",
                            "user_metadata", "role", "aal", "amr", "session_id", "is_anonymous"})
    EXPECT_TRUE(claims.contains(claim)) << claim << " missing from " << claims.dump();
  EXPECT_EQ(claims["aal"], "aal1");
  EXPECT_EQ(claims["amr"][0]["method"], "password");
  EXPECT_EQ(claims["user_metadata"]["display_name"], "Ada");
}

TEST_F(SupabaseAuthTest, ErrorsUseTheCurrentModelWithItsHeader) {
  const std::string email = unique_email("sberr");
  const std::string password = unique_password();
  sign_up(email, password);
  const Response taken = client().post("/auth/v1/signup", {{"email", email}, {"password", password}},
                                       with_key(anon));
  EXPECT_EQ(taken.status, 422);
  EXPECT_EQ(taken.json()["code"], "user_already_exists") << taken.body;
  EXPECT_EQ(taken.header("X-Supabase-Api-Version"), "2024-01-01");
  EXPECT_EQ(taken.header("x-sb-error-code"), "user_already_exists");

  const Response wrong = sign_in(email, "wrong-password");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["code"], "invalid_credentials");
  EXPECT_EQ(wrong.json()["message"], "Invalid login credentials");

  const Response weak = client().post(
      "/auth/v1/signup", {{"email", unique_email("weak")}, {"password", "short"}}, with_key(anon));
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json()["code"], "weak_password");
  EXPECT_EQ(weak.json()["weak_password"]["reasons"], json({"length"}));

  const Response bad_json =
      client().request("POST", "/auth/v1/signup", with_key(anon), "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.json()["code"], "bad_json");
  const Response grant = client().post("/auth/v1/token?grant_type=magic", json::object(),
                                       with_key(anon));
  EXPECT_EQ(grant.status, 400) << grant.body;
  const Response no_bearer = client().get("/auth/v1/user", {{"apikey", anon}});
  EXPECT_EQ(no_bearer.status, 401);
  EXPECT_EQ(no_bearer.json()["code"], "no_authorization");
}

TEST_F(SupabaseAuthTest, OneTokenWorksOnBothSurfaces) {
  // Registered on the tutorial surface, used on Supabase's, and back.
  const auto account = new_account("sbboth");
  const Response me = client().get("/auth/v1/user", with_key(anon, account.access_token));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["id"], account.id);
  const Response in = sign_in(account.email, account.password);
  ASSERT_EQ(in.status, 200) << in.body;
  const Response tutorial_me =
      client().get("/auth/me", bearer(in.json()["access_token"].get<std::string>()));
  EXPECT_EQ(tutorial_me.status, 200) << tutorial_me.body;
  EXPECT_EQ(tutorial_me.json()["id"], account.id);
}

TEST_F(SupabaseAuthTest, FullNameIsUserMetadataOnBothSurfaces) {
  const Response reg = client().post(
      "/auth/register",
      {{"email", unique_email("sbname")}, {"password", unique_password()}, {"full_name", "Ada L"}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  const std::string token = reg.json()["access_token"];
  const Response me = client().get("/auth/v1/user", with_key(anon, token));
  EXPECT_EQ(me.json()["user_metadata"], json({{"full_name", "Ada L"}}));
  const Response put = client().put("/auth/v1/user", {{"data", {{"full_name", "Ada K"}}}},
                                    with_key(anon, token));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(client().get("/auth/me", bearer(token)).json()["full_name"], "Ada K");
}

TEST_F(SupabaseAuthTest, RefreshRotatesAndLogoutScopesEndTheRightSessions) {
  const std::string email = unique_email("sbscope");
  const std::string password = unique_password();
  const json first = sign_up(email, password);
  const json second = sign_in(email, password).json();
  const json third = sign_in(email, password).json();

  const Response refreshed = client().post("/auth/v1/token?grant_type=refresh_token",
                                           {{"refresh_token", first["refresh_token"]}},
                                           with_key(anon));
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_NE(refreshed.json()["refresh_token"], first["refresh_token"]);
  EXPECT_EQ(jwt_part(refreshed.json()["access_token"].get<std::string>(), 1)["session_id"],
            jwt_part(first["access_token"].get<std::string>(), 1)["session_id"]);

  auto token = [](const json& s) { return s["access_token"].get<std::string>(); };
  const Response others = client().request("POST", "/auth/v1/logout?scope=others",
                                           with_key(anon, token(second)));
  EXPECT_EQ(others.status, 204) << others.body;
  EXPECT_EQ(client().get("/auth/v1/user", with_key(anon, token(second))).status, 200);
  const Response gone = client().get("/auth/v1/user", with_key(anon, token(third)));
  EXPECT_EQ(gone.status, 403);
  EXPECT_EQ(gone.json()["code"], "session_not_found");
  EXPECT_EQ(client().request("POST", "/auth/v1/logout?scope=bogus", with_key(anon, token(second)))
                .status,
            400);
  EXPECT_EQ(client().request("POST", "/auth/v1/logout", with_key(anon, token(second))).status, 204);
  EXPECT_EQ(client().get("/auth/v1/user", with_key(anon, token(second))).status, 403);
}

TEST_F(SupabaseAuthTest, PasswordChangeKeepsThisSessionAndEndsTheOthers) {
  const std::string email = unique_email("sbpw");
  const std::string password = unique_password();
  const json mine = sign_up(email, password);
  const json other = sign_in(email, password).json();
  const std::string token = mine["access_token"];
  EXPECT_EQ(client().put("/auth/v1/user", {{"password", password}}, with_key(anon, token))
                .json()["code"],
            "same_password");
  const Response changed =
      client().put("/auth/v1/user", {{"password", password + "-new"}}, with_key(anon, token));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(client().get("/auth/v1/user", with_key(anon, token)).status, 200);
  EXPECT_EQ(client().get("/auth/v1/user", with_key(anon, other["access_token"])).status, 403);
  EXPECT_EQ(sign_in(email, password).status, 400);
  EXPECT_EQ(sign_in(email, password + "-new").status, 200);
  EXPECT_EQ(client().put("/auth/v1/user", {{"app_metadata", {{"role", "admin"}}}},
                         with_key(anon, token))
                .status,
            403)
      << "only admins change app_metadata";
}

TEST_F(SupabaseAuthTest, AdminRoutesNeedTheServiceRoleKey) {
  const auto account = new_account("sbadm");
  for (const auto& bearer_token : {anon, account.access_token}) {
    const Response r = client().get("/auth/v1/admin/users", with_key(anon, bearer_token));
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.json()["code"], "not_admin");
  }
  EXPECT_EQ(client().get("/auth/v1/admin/users", with_key(service)).status, 200);
  const std::string expired = test_api_key("service_role", -100);
  EXPECT_EQ(client().get("/auth/v1/admin/users", with_key(service, expired)).status, 403);
}

TEST_F(SupabaseAuthTest, AdminCreatesPagesUpdatesBansAndDeletes) {
  const std::string email = unique_email("sbadmin");
  const std::string password = unique_password();
  const Response created = client().post(
      "/auth/v1/admin/users",
      {{"email", email}, {"password", password}, {"email_confirm", true},
       {"user_metadata", {{"n", 1}}}, {"app_metadata", {{"plan", "pro"}}}},
      with_key(service));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["app_metadata"]["plan"], "pro");
  EXPECT_EQ(created.json()["app_metadata"]["provider"], "email");
  EXPECT_EQ(client().post("/auth/v1/admin/users", {{"email", email}, {"password", password}},
                          with_key(service))
                .json()["code"],
            "email_exists");

  const Response page = client().get("/auth/v1/admin/users?page=&per_page=", with_key(service));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.json()["aud"], "authenticated");
  const Response one = client().get("/auth/v1/admin/users?page=1&per_page=1", with_key(service));
  ASSERT_EQ(one.json()["users"].size(), 1u);
  const int64_t total = std::stoll(one.header("X-Total-Count").value_or("0"));
  EXPECT_GE(total, 1);
  const std::string link = one.header("Link").value_or("");
  EXPECT_NE(link.find("page=" + std::to_string(total) + "&per_page=1>; rel=\"last\""),
            std::string::npos)
      << link;
  if (total > 1) {
    EXPECT_NE(link.find("?page=2&per_page=1>; rel=\"next\""), std::string::npos);
  }

  EXPECT_EQ(client().get("/auth/v1/admin/users/" + id, with_key(service)).json()["email"], email);
  const Response signed_in = sign_in(email, password);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string token = signed_in.json()["access_token"];
  const Response banned = client().put("/auth/v1/admin/users/" + id,
                                       {{"ban_duration", "24h"}, {"user_metadata", {{"m", 2}}}},
                                       with_key(service));
  ASSERT_EQ(banned.status, 200) << banned.body;
  EXPECT_TRUE(banned.json().contains("banned_until"));
  EXPECT_EQ(banned.json()["user_metadata"], json({{"n", 1}, {"m", 2}}));
  EXPECT_EQ(client().get("/auth/v1/user", with_key(anon, token)).status, 403) << "signed out";
  EXPECT_EQ(sign_in(email, password).json()["code"], "user_banned");
  EXPECT_EQ(client().put("/auth/v1/admin/users/" + id, {{"ban_duration", "none"}},
                         with_key(service))
                .status,
            200);
  EXPECT_EQ(sign_in(email, password).status, 200);

  EXPECT_EQ(client().del("/auth/v1/admin/users/" + id, with_key(service)).status, 200);
  const Response after = client().get("/auth/v1/admin/users/" + id, with_key(service));
  EXPECT_EQ(after.status, 404);
  EXPECT_EQ(after.json()["code"], "user_not_found");
  EXPECT_EQ(client().get("/auth/v1/admin/users/not-a-uuid", with_key(service)).status, 404);
}

TEST_F(SupabaseAuthTest, BrowserCallsArePreflightedAndMayReadTheHeadersSupabaseJsNeeds) {
  const Response pre = client().request(
      "OPTIONS", "/auth/v1/token?grant_type=password",
      {{"Origin", "https://app.example.com"},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "apikey, authorization, x-client-info, content-type, "
                                          "x-supabase-api-version"}});
  EXPECT_EQ(pre.status, 200);
  const std::string allowed = pre.header("Access-Control-Allow-Headers").value_or("");
  for (const char* h : {"apikey", "authorization", "x-client-info", "x-supabase-api-version",
                        "prefer", "accept-profile", "content-profile", "x-retry-count"})
    EXPECT_NE(allowed.find(h), std::string::npos) << h;
  const Response r = client().get("/auth/v1/settings",
                                  {{"apikey", anon}, {"Origin", "https://app.example.com"}});
  const std::string exposed = r.header("Access-Control-Expose-Headers").value_or("");
  for (const char* h : {"X-Supabase-Api-Version", "Content-Range", "X-Total-Count", "Link"})
    EXPECT_NE(exposed.find(h), std::string::npos) << h;
}

TEST_F(SupabaseAuthTest, KeysCommandPrintsKeysTheServerAccepts) {
  for (const auto& [role, claim] : {std::pair{"anon", "anon"}, {"service-role", "service_role"}}) {
    const RunResult run = run_latchkey({"keys", role, "--data-dir", server().data_dir().string()},
                                       {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}},
                                       server().data_dir());
    ASSERT_EQ(run.status.code, 0) << run.err;
    std::string key = run.out;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    EXPECT_EQ(jwt_part(key, 1)["role"], claim);
    EXPECT_GT(jwt_part(key, 1)["exp"].get<int64_t>(), now_s() + 365 * 24 * 3600);
    EXPECT_EQ(client().get("/auth/v1/settings", {{"apikey", key}}).status, 200);
  }
  const RunResult bad = run_latchkey({"keys", "root"}, {}, server().data_dir());
  EXPECT_NE(bad.status.code, 0);
}

}  // namespace
}  // namespace latchkey::test
