// Pure parts of the /auth/v1 surface: ban durations and the error statuses.
#include <gtest/gtest.h>

#include "api/supabase_auth/errors.hpp"
#include "api/supabase_auth/go_duration.hpp"

#include <nlohmann/json.hpp>

namespace latchkey::api::supabase_auth {
namespace {

TEST(BanDurationTest, ReadsGoDurations) {
  const struct {
    const char* text;
    std::optional<int64_t> seconds;
  } cases[] = {
      {"none", 0},         {"0", 0},           {"24h", 86400},        {"1h30m", 5400},
      {"90s", 90},         {"1.5h", 5400},     {"500ms", 1},          {"876000h", 3153600000},
      {"+2m", 120},        {"", std::nullopt}, {"h", std::nullopt},   {"-1h", std::nullopt},
      {"10", std::nullopt}, {"1d", std::nullopt}, {"1h x", std::nullopt},
      {"999999999999999999999h", std::nullopt}, {"1000000h", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_ban_duration(c.text), c.seconds) << c.text;
}

TEST(GotrueStatusTest, MatchesSupabaseAuth) {
  const struct {
    ErrorCode code;
    int status;
  } cases[] = {
      {ErrorCode::invalid_credentials, 400},  {ErrorCode::validation_failed, 400},
      {ErrorCode::bad_json, 400},             {ErrorCode::weak_password, 422},
      {ErrorCode::user_already_exists, 422},  {ErrorCode::email_exists, 422},
      {ErrorCode::same_password, 422},        {ErrorCode::no_authorization, 401},
      {ErrorCode::no_api_key, 401},           {ErrorCode::invalid_api_key, 401},
      {ErrorCode::bad_jwt, 403},              {ErrorCode::token_expired, 403},
      {ErrorCode::session_not_found, 403},    {ErrorCode::user_not_found, 403},
      {ErrorCode::not_admin, 403},            {ErrorCode::refresh_token_not_found, 400},
      {ErrorCode::refresh_token_already_used, 400}, {ErrorCode::email_not_confirmed, 400},
      {ErrorCode::over_request_rate_limit, 429}, {ErrorCode::unexpected_failure, 500},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(gotrue_status(Error::make(c.code, "m")), c.status) << error_code_name(c.code);
  }
  Error admin_404 = Error::make(ErrorCode::user_not_found, "User not found");
  admin_404.code = Errc::not_found;
  EXPECT_EQ(gotrue_status(admin_404), 404);
}

TEST(GotrueErrorBodyTest, CarriesCodeMessageAndTheVersionHeader) {
  const auto r = gotrue_errors().error(Error::make(ErrorCode::weak_password, "too short"));
  EXPECT_EQ(r.status, 422);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["code"], "weak_password");
  EXPECT_EQ(body["message"], "too short");
  EXPECT_EQ(body["weak_password"]["reasons"], nlohmann::json({"length"}));
  bool version = false;
  for (const auto& h : r.headers) version |= h.name == "X-Supabase-Api-Version" && h.value == "2024-01-01";
  EXPECT_TRUE(version);
  const auto expired = nlohmann::json::parse(
      gotrue_errors().error(Error::make(ErrorCode::token_expired, "x")).body);
  EXPECT_EQ(expired["code"], "bad_jwt");
}

}  // namespace
}  // namespace latchkey::api::supabase_auth
