// PostgREST's error model as /rest/v1 renders it: status per code, the four-key body,
// Proxy-Status, the token challenge, and the gateway's own refusals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/rest/errors.hpp"

namespace latchkey::api::rest {
namespace {

using nlohmann::json;

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return {};
}

TEST(PostgrestErrors, StatusesAreThoseOfPostgrest) {
  const struct {
    ErrorCode code;
    int status;
  } cases[] = {
      {ErrorCode::query_parse_failed, 400},     {ErrorCode::invalid_body, 400},
      {ErrorCode::range_not_satisfiable, 416},  {ErrorCode::invalid_schema, 406},
      {ErrorCode::not_acceptable, 406},         {ErrorCode::not_single_row, 406},
      {ErrorCode::unknown_body_column, 400},    {ErrorCode::table_not_found, 404},
      {ErrorCode::unknown_column, 400},         {ErrorCode::row_security_violation, 403},
      {ErrorCode::unique_violation, 409},       {ErrorCode::foreign_key_violation, 409},
      {ErrorCode::not_null_violation, 400},     {ErrorCode::invalid_text_representation, 400},
      {ErrorCode::invalid_datetime_format, 400}, {ErrorCode::value_too_long, 400},
      {ErrorCode::datatype_mismatch, 400},      {ErrorCode::undefined_function, 404},
      {ErrorCode::invalid_conflict_target, 400}, {ErrorCode::check_violation, 400},
      {ErrorCode::untranslatable_character, 400}, {ErrorCode::missing_where, 400},
      {ErrorCode::cardinality_violation, 400},  {ErrorCode::invalid_preferences, 400},
      {ErrorCode::max_affected_exceeded, 400},  {ErrorCode::over_request_rate_limit, 429},
      {ErrorCode::service_unavailable, 503},    {ErrorCode::unexpected_failure, 500},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(postgrest_status(Error::make(c.code, {})), c.status) << error_code_name(c.code);
  }
  // anon's refused write lacks authentication: 401, as PostgREST answers the anon role.
  Error anon = Error::make(ErrorCode::row_security_violation, {});
  anon.code = Errc::unauthenticated;
  EXPECT_EQ(postgrest_status(anon), 401);
}

TEST(PostgrestErrors, BodyHasTheFourKeysAndProxyStatus) {
  const auto r = postgrest_error(Error::make(ErrorCode::unique_violation, {}, "secret log detail")
                                     .with_details("Key (id)=(x) already exists."));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body),
            json({{"code", "23505"},
                  {"details", "Key (id)=(x) already exists."},
                  {"hint", nullptr},
                  {"message", "duplicate key value violates unique constraint \"user_data_pkey\""}}));
  EXPECT_EQ(header(r, "Proxy-Status"), "PostgREST; error=23505");
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << "the log detail never leaves";
  // A details string holding a stray byte (it quotes the client) still renders as JSON.
  const auto odd = postgrest_error(
      Error::make(ErrorCode::invalid_text_representation, {}).with_details("bad \xff byte"));
  EXPECT_FALSE(json::parse(odd.body, nullptr, false).is_discarded());
}

TEST(PostgrestErrors, InternalAndUnavailableUseGenericCodes) {
  const auto internal = postgrest_error(Error::of(Errc::internal, "disk on fire"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(json::parse(internal.body)["code"], "XX000");
  EXPECT_EQ(internal.body.find("disk"), std::string::npos);
  const auto busy = postgrest_error(Error::of(Errc::unavailable).retry_after(2));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(json::parse(busy.body)["code"], "PGRST000");
  EXPECT_EQ(header(busy, "Retry-After"), "2");
}

TEST(PostgrestErrors, TokensAreRefusedWithAChallengeAndNoReason) {
  const auto bad = postgrest_error(Error::make(ErrorCode::bad_jwt, {}, "signature mismatch"));
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(json::parse(bad.body)["code"], "PGRST301");
  EXPECT_EQ(bad.body.find("mismatch"), std::string::npos);
  EXPECT_EQ(header(bad, "WWW-Authenticate"),
            "Bearer error=\"invalid_token\", error_description=\"JWT cryptographic operation failed\"");
  const auto expired = postgrest_error(Error::make(ErrorCode::token_expired, {}));
  EXPECT_EQ(json::parse(expired.body)["code"], "PGRST303");
  EXPECT_EQ(json::parse(expired.body)["message"], "JWT expired");
  const auto closed = postgrest_error(Error::make(ErrorCode::session_not_found, {}));
  EXPECT_EQ(closed.status, 401);
  EXPECT_EQ(json::parse(closed.body)["code"], "PGRST301");
}

TEST(PostgrestErrors, GatewayRefusalsKeepTheGatewayBody) {
  const auto missing = postgrest_error(Error::make(ErrorCode::no_api_key, {}));
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(json::parse(missing.body)["message"], "No API key found in request");
  const auto unknown = postgrest_error(Error::make(ErrorCode::invalid_api_key, {}));
  EXPECT_EQ(json::parse(unknown.body)["message"], "Invalid API key");
}

TEST(PostgrestErrors, UnroutedPathsAndMethods) {
  const auto renderer = postgrest_errors();
  EXPECT_EQ(json::parse(renderer.status(404, "Not Found").body)["code"], "PGRST125");
  EXPECT_EQ(json::parse(renderer.status(405, "Method Not Allowed").body)["code"], "PGRST117");
  EXPECT_EQ(renderer.status(413, "too large").status, 413);
}

}  // namespace
}  // namespace latchkey::api::rest
