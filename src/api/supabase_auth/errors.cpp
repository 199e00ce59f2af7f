#include "api/supabase_auth/errors.hpp"

#include <nlohmann/json.hpp>

#include "core/log.hpp"

namespace latchkey::api::supabase_auth {
namespace {

constexpr const char* kApiVersion = "2024-01-01";

// GoTrue's wording where clients (and people searching for the message) expect it; else ours.
std::string_view gotrue_message(const Error& e) {
  switch (e.public_code) {
    case ErrorCode::invalid_credentials:
      return "Invalid login credentials";
    case ErrorCode::refresh_token_not_found:
      return "Invalid Refresh Token: Refresh Token Not Found";
    case ErrorCode::refresh_token_already_used:
      return "Invalid Refresh Token: Already Used";
    case ErrorCode::no_authorization:
      return "This endpoint requires a valid Bearer token";
    case ErrorCode::bad_jwt:
      return "invalid JWT: unable to parse or verify signature";
    case ErrorCode::token_expired:
      return "invalid JWT: unable to parse or verify signature, token has invalid claims: token "
             "is expired";
    case ErrorCode::session_not_found:
      return "Session from session_id claim in JWT does not exist";
    default:
      return e.public_message();
  }
}

std::string_view gotrue_code(const Error& e) {
  // Supabase has no code of its own for an expired token.
  if (e.public_code == ErrorCode::token_expired) return "bad_jwt";
  return error_code_name(e.public_code);
}

http::Response render(int status, std::string_view code, std::string_view message) {
  http::Response r;
  r.status = status;
  nlohmann::json body = {{"code", code}, {"message", message}};
  if (code == "weak_password") body["weak_password"] = {{"reasons", {"length"}}};
  r.body = body.dump();
  // supabase-js reads `code` only when this header says the 2024-01-01 model.
  r.headers.push_back({"X-Supabase-Api-Version", kApiVersion});
  r.headers.push_back({"x-sb-error-code", std::string(code)});
  return r;
}

}  // namespace

int gotrue_status(const Error& e) {
  switch (e.public_code) {
    case ErrorCode::weak_password:
    case ErrorCode::same_password:
    case ErrorCode::email_exists:
    case ErrorCode::user_already_exists:
    case ErrorCode::signup_disabled:
      return 422;
    case ErrorCode::no_authorization:
    case ErrorCode::no_api_key:
    case ErrorCode::invalid_api_key:
      return 401;
    case ErrorCode::invalid_credentials:
    case ErrorCode::refresh_token_not_found:
    case ErrorCode::refresh_token_already_used:
    case ErrorCode::email_not_confirmed:
    case ErrorCode::user_banned:
      return 400;
    default:
      break;
  }
  switch (e.code) {
    case Errc::invalid_input:
    case Errc::bad_request:
      return 400;
    case Errc::unauthenticated:
    case Errc::forbidden:
      return 403;  // GoTrue: a token it cannot accept, or a caller without the right
    case Errc::not_found:
      return 404;
    case Errc::conflict:
      return 422;
    case Errc::rate_limited:
      return 429;
    case Errc::unavailable:
      return 503;
    case Errc::internal:
      return 500;
  }
  return 500;
}

ErrorRenderer gotrue_errors() {
  return ErrorRenderer{
      [](const Error& e) {
        const int status = gotrue_status(e);
        if (status >= 500) {
          core::log_event(core::LogLevel::error, "request failed", {{"detail", e.detail}});
        }
        auto r = render(status, gotrue_code(e), gotrue_message(e));
        if (e.retry_after_s > 0) r.headers.push_back({"Retry-After", std::to_string(e.retry_after_s)});
        return r;
      },
      [](int status, std::string_view message) {
        const char* code = status == 404   ? "not_found"
                           : status == 405 ? "method_not_allowed"
                           : status == 413 ? "request_too_large"
                           : status == 503 ? "service_unavailable"
                           : status >= 500 ? "unexpected_failure"
                                           : "bad_request";
        return render(status, code, message);
      }};
}

}  // namespace latchkey::api::supabase_auth
