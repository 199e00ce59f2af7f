#pragma once
// Shared pieces of the black-box suite: a fixture with one server per test suite, user
// registration, the error-body checks, and JWT decoding/forging for token tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http_client.hpp"
#include "server_process.hpp"

namespace latchkey::test {

using nlohmann::json;

// An email no other test (in this or a concurrent run) uses: tag-<pid>-<n>@example.com.
std::string unique_email(std::string_view tag);
// A password unique to the caller, so the log checks can look for it.
std::string unique_password();

Headers bearer(std::string_view token);

struct Account {
  bool ok = false;
  std::string error;  // why registration failed
  std::string email;
  std::string password;
  std::string id;
  std::string access_token;
  std::string refresh_token;
  json body;  // the whole AuthResponse
  Headers auth() const { return bearer(access_token); }
};

// POST /auth/register; ok only on 200 with an access token and a user id.
Account register_account(const HttpClient& client, std::string_view tag);

// A 4xx/5xx body of the seed shape {detail, error: true, message, status_code == status}.
::testing::AssertionResult IsErrorBody(const Response& r, int status);
// IsErrorBody with a string detail equal to `detail`.
::testing::AssertionResult IsError(const Response& r, int status, std::string_view detail);
// 422 whose detail is a non-empty list of {loc: [..], msg: string, type: string}.
::testing::AssertionResult IsValidationError(const Response& r);
// 401 with the seed error body and a `WWW-Authenticate: Bearer...` header.
::testing::AssertionResult IsUnauthorized(const Response& r);

// RFC 3339 with a zone (Z or +hh:mm), optional fraction; microseconds since the epoch.
std::optional<int64_t> parse_time_us(std::string_view s);
int64_t now_us();
bool is_uuid(std::string_view s);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
// Part 0 (header) or 1 (payload) of a JWT as JSON; discarded if it does not decode.
json jwt_part(std::string_view token, int index);
// header.payload signed with HMAC-SHA256 under `key`.
std::string sign_hs256(const json& header, const json& payload, std::string_view key);
// A Supabase API key ({iss, role, iat, exp}) for the test servers' secret.
std::string test_api_key(std::string_view role, int64_t ttl_s = 3600);
// Whether the token's signature is HMAC-SHA256 of its first two parts under `key`.
bool has_hs256_signature(std::string_view token, std::string_view key);

// Fixture: one server per test suite, started in SetUpTestSuite. A derived suite that needs
// flags hides SetUpTestSuite and calls start_shared with its options.
class ApiTest : public ::testing::Test {
 protected:
  // A suite makes many credential attempts from one address, far beyond the default
  // per-address limit; RateLimitTest runs with the defaults.
  static ServeOptions unthrottled() { return ServeOptions().args({"--auth-rate-limit", "100000"}); }
  static void SetUpTestSuite() { start_shared(unthrottled()); }
  static void TearDownTestSuite();
  static void start_shared(ServeOptions options);
  void SetUp() override;

  static ServerProcess& server() { return *server_; }
  static HttpClient client() { return HttpClient(server_->port()); }
  static Account new_account(std::string_view tag) { return register_account(client(), tag); }
  // `latchkey ARGS...` (an admin verb) against the suite server's database, with its secret.
  static RunResult run_admin(std::vector<std::string> args);

 private:
  static std::unique_ptr<ServerProcess> server_;
  static std::string start_error_;
  static std::vector<std::string> database_args_;  // --database-url on PostgreSQL
};

}  // namespace latchkey::test
