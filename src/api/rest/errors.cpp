#include "api/rest/errors.hpp"

#include <nlohmann/json.hpp>

#include "core/log.hpp"

namespace latchkey::api::rest {
namespace {

using nlohmann::json;

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

http::Response render(int status, std::string_view code, std::string_view message,
                      const std::string& details, const std::string& hint) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = json{{"code", code},
                {"details", text_or_null(details)},
                {"hint", text_or_null(hint)},
                {"message", message}}
               // Details may quote what the client sent: never let a stray byte throw.
               .dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.push_back({"Proxy-Status", "PostgREST; error=" + std::string(code)});
  return r;
}

// What the gateway answers before PostgREST sees the request (Supabase's Kong config).
http::Response gateway_refusal(const Error& e) {
  const bool missing = e.public_code == ErrorCode::no_api_key;
  http::Response r;
  r.status = 401;
  r.body = json{{"message", missing ? "No API key found in request" : "Invalid API key"},
                {"hint", missing ? "No `apikey` request header or url param was found."
                                 : "Double check your Supabase `anon` or `service_role` API key."}}
               .dump();
  return r;
}

// A bearer token PostgREST cannot accept: 401 with PostgREST 13's codes and RFC 6750's
// challenge. Never the reason a signature failed: that would help a forger.
http::Response bad_token(const Error& e) {
  const bool expired = e.public_code == ErrorCode::token_expired;
  // latchkey also refuses tokens whose session was closed (PostgREST would not know).
  const std::string message = expired ? "JWT expired"
                              : e.public_code == ErrorCode::bad_jwt
                                  ? "JWT cryptographic operation failed"
                                  : "JWT session has ended";
  auto r = render(401, expired ? "PGRST303" : "PGRST301", message, {}, {});
  r.headers.push_back({"WWW-Authenticate",
                       "Bearer error=\"invalid_token\", error_description=\"" + message + "\""});
  return r;
}

}  // namespace

int postgrest_status(const Error& e) {
  switch (e.public_code) {
    case ErrorCode::range_not_satisfiable: return 416;
    case ErrorCode::invalid_schema:
    case ErrorCode::not_acceptable:
    case ErrorCode::not_single_row: return 406;
    case ErrorCode::table_not_found:
    case ErrorCode::undefined_function: return 404;  // PostgREST: 42883 is "undefined function"
    // PostgREST: "insufficient privilege" is 401 when the request has no authenticated role
    // (the row surface marks anon's refusals unauthenticated), 403 otherwise.
    case ErrorCode::row_security_violation: return e.code == Errc::unauthenticated ? 401 : 403;
    case ErrorCode::unique_violation:
    case ErrorCode::foreign_key_violation: return 409;
    default: break;
  }
  switch (e.code) {
    case Errc::invalid_input:
    case Errc::bad_request: return 400;
    case Errc::unauthenticated: return 401;
    case Errc::forbidden: return 403;
    case Errc::not_found: return 404;
    case Errc::conflict: return 409;
    case Errc::rate_limited: return 429;
    case Errc::unavailable: return 503;  // transient: supabase-js retries reads on 503
    case Errc::internal: return 500;
  }
  return 500;
}

http::Response postgrest_error(const Error& e) {
  switch (e.public_code) {
    case ErrorCode::no_api_key:
    case ErrorCode::invalid_api_key: return gateway_refusal(e);
    case ErrorCode::bad_jwt:
    case ErrorCode::token_expired:
    case ErrorCode::session_not_found:
    case ErrorCode::user_not_found: return bad_token(e);
    default: break;
  }
  const int status = postgrest_status(e);
  if (status >= 500) {
    core::log_event(core::LogLevel::error, "request failed", {{"detail", e.detail}});
  }
  // PostgreSQL's codes for the failures that are not its own: internal_error, and for a
  // saturated server PostgREST's "could not connect" class.
  std::string_view code = error_code_name(e.public_code);
  if (e.code == Errc::internal) code = "XX000";
  if (e.code == Errc::unavailable) code = "PGRST000";
  auto r = render(status, code, e.public_message(), e.details, e.hint);
  if (e.retry_after_s > 0) r.headers.push_back({"Retry-After", std::to_string(e.retry_after_s)});
  return r;
}

ErrorRenderer postgrest_errors() {
  return ErrorRenderer{postgrest_error, [](int status, std::string_view message) {
                         // PostgREST's codes for a path or method it does not serve.
                         const char* code = status == 404   ? "PGRST125"
                                            : status == 405 ? "PGRST117"
                                            : status == 503 ? "PGRST000"
                                            : status >= 500 ? "XX000"
                                                            : "PGRST100";
                         return render(status, code, message, {}, {});
                       }};
}

}  // namespace latchkey::api::rest
