// Registration, login and /auth/me: the AuthResponse and User shapes, the access token's
// claims, and every validation rule on email, password and full_name.
#include <algorithm>
#include <cctype>
#include <chrono>

#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(AuthTest, both);

class AuthTest : public ApiTest {};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

// An address of exactly `total` characters with a 64-char local part and 60-63 char labels,
// so only the overall length can make it invalid (total in 252..256).
std::string email_of_length(size_t total) {
  std::string local = unique_email("long");
  local = local.substr(0, local.find('@'));
  local += repeat("l", 64 - local.size());
  const size_t domain = total - 65;  // 189 for 254
  const size_t last = domain - (60 + 1 + 60 + 1 + 4);
  return local + "@" + repeat("x", 60) + "." + repeat("y", 60) + "." + repeat("z", last) + ".com";
}

void expect_user(const json& user, std::string_view email) {
  ASSERT_TRUE(user.is_object()) << user.dump();
  ASSERT_TRUE(user.contains("id") && user["id"].is_string()) << user.dump();
  EXPECT_TRUE(is_uuid(user["id"].get<std::string>())) << user.dump();
  EXPECT_EQ(user.value("email", ""), email) << user.dump();
  ASSERT_TRUE(user.contains("full_name")) << user.dump();
  EXPECT_TRUE(user["full_name"].is_string() || user["full_name"].is_null()) << user.dump();
  ASSERT_TRUE(user.contains("created_at") && user["created_at"].is_string()) << user.dump();
  const auto created = parse_time_us(user["created_at"].get<std::string>());
  ASSERT_TRUE(created) << "created_at is not RFC 3339 with a zone: " << user["created_at"];
  EXPECT_LT(std::llabs(*created - now_us()), int64_t(120) * 1000 * 1000) << user["created_at"];
}

void expect_auth_response(const Response& r, std::string_view email) {
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.body;
  ASSERT_TRUE(j.contains("access_token") && j["access_token"].is_string()) << r.body;
  ASSERT_TRUE(j.contains("refresh_token") && j["refresh_token"].is_string()) << r.body;
  EXPECT_FALSE(j["refresh_token"].get<std::string>().empty());
  EXPECT_EQ(j.value("token_type", ""), "bearer") << r.body;
  ASSERT_TRUE(j.contains("expires_in") && j["expires_in"].is_number_integer()) << r.body;
  EXPECT_EQ(j["expires_in"], 3600) << "default lifetime";
  ASSERT_TRUE(j.contains("expires_at") && j["expires_at"].is_number_integer()) << r.body;
  const int64_t now_s = now_us() / 1000000;
  EXPECT_NEAR(j["expires_at"].get<int64_t>(), now_s + 3600, 60) << r.body;
  ASSERT_NO_FATAL_FAILURE(expect_user(j["user"], email));
}

TEST_F(AuthTest, RegisterReturnsTokensAndUser) {
  const std::string email = unique_email("reg");
  const Response r =
      client().post("/auth/register",
                    {{"email", email}, {"password", unique_password()}, {"full_name", "Ada L"}});
  ASSERT_NO_FATAL_FAILURE(expect_auth_response(r, email));
  EXPECT_EQ(r.json()["user"]["full_name"], "Ada L");
}

TEST_F(AuthTest, RegisterWithoutFullNameGivesNull) {
  const std::string email = unique_email("noname");
  const Response r =
      client().post("/auth/register", {{"email", email}, {"password", unique_password()}});
  ASSERT_NO_FATAL_FAILURE(expect_auth_response(r, email));
  EXPECT_TRUE(r.json()["user"]["full_name"].is_null()) << r.body;
}

TEST_F(AuthTest, RegisterWithNullFullNameGivesNull) {
  const std::string email = unique_email("nullname");
  const Response r =
      client().post("/auth/register",
                    {{"email", email}, {"password", unique_password()}, {"full_name", nullptr}});
  ASSERT_NO_FATAL_FAILURE(expect_auth_response(r, email));
  EXPECT_TRUE(r.json()["user"]["full_name"].is_null()) << r.body;
}

TEST_F(AuthTest, AccessTokenCarriesTheDocumentedClaims) {
  const Account a = new_account("claims");
  ASSERT_TRUE(a.ok) << a.error;
  const json header = jwt_part(a.access_token, 0);
  const json claims = jwt_part(a.access_token, 1);
  ASSERT_TRUE(header.is_object()) << a.access_token;
  ASSERT_TRUE(claims.is_object()) << a.access_token;
  EXPECT_EQ(header.value("alg", ""), "HS256") << header.dump();
  EXPECT_TRUE(has_hs256_signature(a.access_token, kTestJwtSecret))
      << "not signed with LATCHKEY_JWT_SECRET";
  EXPECT_EQ(claims.value("sub", ""), a.id) << claims.dump();
  EXPECT_EQ(claims.value("email", ""), a.email) << claims.dump();
  EXPECT_EQ(claims.value("role", ""), "authenticated") << claims.dump();
  ASSERT_TRUE(claims.contains("aud")) << claims.dump();
  const json& aud = claims["aud"];
  EXPECT_TRUE(aud == "authenticated" ||
              (aud.is_array() && std::find(aud.begin(), aud.end(), "authenticated") != aud.end()))
      << claims.dump();
  ASSERT_TRUE(claims.contains("iss") && claims["iss"].is_string()) << claims.dump();
  EXPECT_FALSE(claims["iss"].get<std::string>().empty());
  ASSERT_TRUE(claims.contains("iat") && claims["iat"].is_number_integer()) << claims.dump();
  ASSERT_TRUE(claims.contains("exp") && claims["exp"].is_number_integer()) << claims.dump();
  EXPECT_NEAR(claims["iat"].get<int64_t>(), now_us() / 1000000, 60);
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 3600);
  EXPECT_EQ(claims["exp"], a.body["expires_at"]) << "expires_at must be the token's exp";
  ASSERT_TRUE(claims.contains("session_id") && claims["session_id"].is_string()) << claims.dump();
  EXPECT_TRUE(is_uuid(claims["session_id"].get<std::string>())) << claims.dump();
}

TEST_F(AuthTest, EachLoginStartsANewSession) {
  const Account a = new_account("sessions");
  ASSERT_TRUE(a.ok) << a.error;
  const Response r = client().post("/auth/login", {{"email", a.email}, {"password", a.password}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json first = jwt_part(a.access_token, 1);
  const json second = jwt_part(r.json().value("access_token", ""), 1);
  ASSERT_TRUE(first.is_object() && second.is_object());
  EXPECT_NE(first.value("session_id", ""), second.value("session_id", ""));
  EXPECT_NE(a.refresh_token, r.json().value("refresh_token", ""));
}

TEST_F(AuthTest, LoginReturnsTheSameUser) {
  const Account a = new_account("login");
  ASSERT_TRUE(a.ok) << a.error;
  const Response r = client().post("/auth/login", {{"email", a.email}, {"password", a.password}});
  ASSERT_NO_FATAL_FAILURE(expect_auth_response(r, a.email));
  EXPECT_EQ(r.json()["user"]["id"], a.id);
  EXPECT_EQ(r.json()["user"]["created_at"], a.body["user"]["created_at"]);
}

TEST_F(AuthTest, MeReturnsTheTokenOwner) {
  const std::string email = unique_email("me");
  const Response reg = client().post(
      "/auth/register", {{"email", email}, {"password", unique_password()}, {"full_name", "Me"}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  const Response r =
      client().get("/auth/me", bearer(reg.json()["access_token"].get<std::string>()));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NO_FATAL_FAILURE(expect_user(r.json(), email));
  EXPECT_EQ(r.json(), reg.json()["user"]);
}

TEST_F(AuthTest, MeWithoutTokenIs401) { EXPECT_TRUE(IsUnauthorized(client().get("/auth/me"))); }

TEST_F(AuthTest, EmailIsLowerCasedAndComparedCaseInsensitively) {
  const std::string email = unique_email("Mixed.Case");
  const std::string shouting = "MiXeD." + email.substr(6, email.find('@') - 6) + "@Example.COM";
  ASSERT_EQ(lower(shouting), lower(email));
  const std::string password = unique_password();
  const Response reg =
      client().post("/auth/register", {{"email", shouting}, {"password", password}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  EXPECT_EQ(reg.json()["user"]["email"], lower(email));
  EXPECT_EQ(jwt_part(reg.json().value("access_token", ""), 1).value("email", ""), lower(email));

  const Response login =
      client().post("/auth/login", {{"email", lower(email)}, {"password", password}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["user"]["id"], reg.json()["user"]["id"]);

  const Response again =
      client().post("/auth/register", {{"email", lower(email)}, {"password", unique_password()}});
  EXPECT_TRUE(IsError(again, 400, "User already registered"));
}

TEST_F(AuthTest, DuplicateRegistrationIs400AndKeepsTheFirstPassword) {
  const Account a = new_account("dup");
  ASSERT_TRUE(a.ok) << a.error;
  const Response r =
      client().post("/auth/register", {{"email", a.email}, {"password", "another-password-1"}});
  EXPECT_TRUE(IsError(r, 400, "User already registered"));
  EXPECT_EQ(client().post("/auth/login", {{"email", a.email}, {"password", a.password}}).status,
            200);
  EXPECT_EQ(
      client().post("/auth/login", {{"email", a.email}, {"password", "another-password-1"}}).status,
      401);
}

TEST_F(AuthTest, InvalidEmailsAre422) {
  const std::string too_long = email_of_length(255);
  ASSERT_EQ(too_long.size(), 255u);
  const std::vector<std::string> cases = {
      "not-an-email",      "a@b", "a@@b.com", "@example.com", "user@",
      "us er@example.com", "",    too_long};
  for (const auto& email : cases) {
    const Response r =
        client().post("/auth/register", {{"email", email}, {"password", unique_password()}});
    EXPECT_TRUE(IsValidationError(r)) << "email: \"" << email << "\"";
  }
}

TEST_F(AuthTest, EmailOf254CharactersIsAccepted) {
  const std::string email = email_of_length(254);
  ASSERT_EQ(email.size(), 254u);
  const Response r =
      client().post("/auth/register", {{"email", email}, {"password", unique_password()}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(AuthTest, ReasonableEmailsAreAccepted) {
  const std::string local = unique_email("first.last+tag");
  const std::string email = local.substr(0, local.find('@')) + "@mail.sub.example.co.uk";
  const Response r =
      client().post("/auth/register", {{"email", email}, {"password", unique_password()}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(AuthTest, PasswordLengthBounds) {
  struct Case {
    std::string password;
    int status;
  };
  // Lengths count characters, not bytes: "é" is one character in two bytes.
  const std::vector<Case> cases = {
      {repeat("p", 7), 422},    {repeat("p", 8), 200},    {repeat("p", 1024), 200},
      {repeat("p", 1025), 422}, {repeat("é", 7), 422},    {repeat("é", 8), 200},
      {repeat("é", 1024), 200}, {repeat("é", 1025), 422}, {"", 422},
  };
  for (const auto& c : cases) {
    const std::string email = unique_email("pwlen");
    const Response r =
        client().post("/auth/register", {{"email", email}, {"password", c.password}});
    if (c.status == 422) {
      EXPECT_TRUE(IsValidationError(r)) << "password bytes: " << c.password.size();
      continue;
    }
    EXPECT_EQ(r.status, c.status) << "password bytes: " << c.password.size() << " " << r.body;
    const Response login =
        client().post("/auth/login", {{"email", email}, {"password", c.password}});
    EXPECT_EQ(login.status, 200) << "login with password bytes " << c.password.size();
  }
}

TEST_F(AuthTest, FullNameLengthBound) {
  struct Case {
    std::string name;
    int status;
  };
  const std::vector<Case> cases = {
      {repeat("n", 255), 200},
      {repeat("n", 256), 422},
      {repeat("é", 255), 200},
      {repeat("é", 256), 422},
  };
  for (const auto& c : cases) {
    const Response r = client().post(
        "/auth/register",
        {{"email", unique_email("fn")}, {"password", unique_password()}, {"full_name", c.name}});
    if (c.status == 422) {
      EXPECT_TRUE(IsValidationError(r)) << "full_name bytes: " << c.name.size();
    } else {
      ASSERT_EQ(r.status, 200) << "full_name bytes: " << c.name.size() << " " << r.body;
      EXPECT_EQ(r.json()["user"]["full_name"], c.name);
    }
  }
}

TEST_F(AuthTest, WrongTypesAndMissingFieldsAre422) {
  const std::vector<json> bodies = {
      {{"password", unique_password()}},
      {{"email", unique_email("nopw")}},
      {{"email", 12345}, {"password", unique_password()}},
      {{"email", unique_email("numpw")}, {"password", 12345678}},
      {{"email", unique_email("nullpw")}, {"password", nullptr}},
      {{"email", unique_email("fnnum")}, {"password", unique_password()}, {"full_name", 5}},
      {{"email", json::array({unique_email("arr")})}, {"password", unique_password()}},
      json::object(),
  };
  for (const auto& body : bodies) {
    EXPECT_TRUE(IsValidationError(client().post("/auth/register", body))) << body.dump();
  }
  EXPECT_TRUE(IsValidationError(client().post("/auth/login", {{"email", unique_email("x")}})));
  EXPECT_TRUE(IsValidationError(client().post("/auth/login", {{"password", "12345678"}})));
}

TEST_F(AuthTest, MissingFieldIsNamedInLoc) {
  const Response r = client().post("/auth/register", {{"password", unique_password()}});
  ASSERT_TRUE(IsValidationError(r));
  bool named = false;
  const json body = r.json();
  for (const auto& e : body["detail"]) {
    for (const auto& part : e["loc"]) named = named || part == "email";
  }
  EXPECT_TRUE(named) << "no detail entry's loc names `email`: " << r.body;
}

TEST_F(AuthTest, WrongPasswordAndUnknownEmailLookTheSame) {
  const Account a = new_account("wrongpw");
  ASSERT_TRUE(a.ok) << a.error;
  const Response wrong =
      client().post("/auth/login", {{"email", a.email}, {"password", "not-the-password"}});
  const Response unknown = client().post(
      "/auth/login", {{"email", unique_email("nobody")}, {"password", "not-the-password"}});
  EXPECT_TRUE(IsError(wrong, 401, "Invalid credentials"));
  EXPECT_TRUE(IsError(unknown, 401, "Invalid credentials"));
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_F(AuthTest, UnknownEmailTakesAboutAsLongAsWrongPassword) {
  // Without a dummy hash an unknown email answers ~100x faster, which tells an attacker
  // which addresses have accounts. Compare the fastest of a few tries of each.
  const Account a = new_account("timing");
  ASSERT_TRUE(a.ok) << a.error;
  const auto time_login = [&](const std::string& email) {
    const auto start = std::chrono::steady_clock::now();
    const Response r =
        client().post("/auth/login", {{"email", email}, {"password", "not-the-password"}});
    EXPECT_EQ(r.status, 401) << r.body;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  double wrong = 1e9, unknown = 1e9;
  for (int i = 0; i < 4; ++i) {
    wrong = std::min(wrong, time_login(a.email));
    unknown = std::min(unknown, time_login(unique_email("ghost")));
  }
  EXPECT_GT(unknown, 0.3 * wrong) << "wrong password " << wrong << " ms, unknown email " << unknown
                                  << " ms";
}

TEST_F(AuthTest, LoginIsCaseInsensitiveOnEmailButNotOnPassword) {
  const Account a = new_account("pwcase");
  ASSERT_TRUE(a.ok) << a.error;
  std::string upper_email = a.email;
  std::transform(upper_email.begin(), upper_email.end(), upper_email.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  EXPECT_EQ(client().post("/auth/login", {{"email", upper_email}, {"password", a.password}}).status,
            200);
  std::string other_password = a.password;
  other_password.back() = other_password.back() == 'T' ? 't' : 'T';
  EXPECT_TRUE(
      IsError(client().post("/auth/login", {{"email", a.email}, {"password", other_password}}), 401,
              "Invalid credentials"));
}

}  // namespace
}  // namespace latchkey::test
