#include "core/error.hpp"

namespace latchkey {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  Errc cls;
  std::string_view message;
};

// The catalogue: one row per code, in enum order (checked by error_test).
constexpr CodeInfo kCodes[] = {
    {ErrorCode::unexpected_failure, "unexpected_failure", Errc::internal, "Internal server error"},
    {ErrorCode::service_unavailable, "service_unavailable", Errc::unavailable,
     "Service temporarily unavailable"},
    {ErrorCode::validation_failed, "validation_failed", Errc::invalid_input, "Validation error"},
    {ErrorCode::bad_json, "bad_json", Errc::invalid_input, "Validation error"},
    {ErrorCode::no_authorization, "no_authorization", Errc::unauthenticated, "Not authenticated"},
    {ErrorCode::bad_jwt, "bad_jwt", Errc::unauthenticated, "Could not validate credentials"},
    {ErrorCode::session_not_found, "session_not_found", Errc::unauthenticated,
     "Session expired or revoked"},
    {ErrorCode::user_not_found, "user_not_found", Errc::unauthenticated,
     "Could not validate credentials"},
    {ErrorCode::invalid_credentials, "invalid_credentials", Errc::unauthenticated,
     "Invalid credentials"},
    {ErrorCode::refresh_token_not_found, "refresh_token_not_found", Errc::unauthenticated,
     "Invalid refresh token"},
    {ErrorCode::refresh_token_already_used, "refresh_token_already_used", Errc::unauthenticated,
     "Invalid refresh token"},
    {ErrorCode::user_already_exists, "user_already_exists", Errc::conflict,
     "User already registered"},
    {ErrorCode::over_request_rate_limit, "over_request_rate_limit", Errc::rate_limited,
     "Too many requests, try again later"},
    {ErrorCode::over_login_rate_limit, "over_login_rate_limit", Errc::rate_limited,
     "Too many failed login attempts, try again later"},
    {ErrorCode::item_not_found, "item_not_found", Errc::not_found, "Item not found"},
    {ErrorCode::no_fields_to_update, "no_fields_to_update", Errc::bad_request,
     "No fields to update"},
    {ErrorCode::not_found, "not_found", Errc::not_found, "Not Found"},
    {ErrorCode::method_not_allowed, "method_not_allowed", Errc::bad_request, "Method Not Allowed"},
    {ErrorCode::request_rejected, "request_rejected", Errc::bad_request, "Bad Request"},
    {ErrorCode::conflict, "conflict", Errc::conflict, "Already exists"},
    {ErrorCode::forbidden, "forbidden", Errc::forbidden, "Forbidden"},
};

const CodeInfo& info(ErrorCode code) { return kCodes[static_cast<size_t>(code)]; }

}  // namespace

std::string_view error_code_name(ErrorCode code) { return info(code).name; }
Errc error_class(ErrorCode code) { return info(code).cls; }
std::string_view default_message(ErrorCode code) { return info(code).message; }

ErrorCode default_error_code(Errc code) {
  switch (code) {
    case Errc::invalid_input:
      return ErrorCode::validation_failed;
    case Errc::bad_request:
      return ErrorCode::request_rejected;
    case Errc::unauthenticated:
      return ErrorCode::bad_jwt;
    case Errc::forbidden:
      return ErrorCode::forbidden;
    case Errc::not_found:
      return ErrorCode::not_found;
    case Errc::conflict:
      return ErrorCode::conflict;
    case Errc::rate_limited:
      return ErrorCode::over_request_rate_limit;
    case Errc::unavailable:
      return ErrorCode::service_unavailable;
    case Errc::internal:
      return ErrorCode::unexpected_failure;
  }
  return ErrorCode::unexpected_failure;
}

Error Error::of(Errc code, std::string detail) {
  Error e;
  e.code = code;
  e.public_code = default_error_code(code);
  e.detail = std::move(detail);
  return e;
}

Error Error::make(ErrorCode code, std::string message, std::string detail) {
  Error e;
  e.code = error_class(code);
  e.public_code = code;
  e.message = std::move(message);
  e.detail = std::move(detail);
  return e;
}

Error Error::validation(std::vector<FieldError> fields, std::string message) {
  Error e = make(ErrorCode::validation_failed, std::move(message));
  e.fields = std::move(fields);
  return e;
}

Error Error::startup(Errc code, std::string message, std::string detail) {
  Error e = of(code, std::move(detail));
  e.message = std::move(message);
  return e;
}

Error Error::with_code(ErrorCode code, std::string wording) && {
  public_code = code;
  this->code = error_class(code);
  message = std::move(wording);
  return std::move(*this);
}

Error Error::retry_after(int seconds) && {
  retry_after_s = seconds;
  return std::move(*this);
}

std::string_view Error::public_message() const {
  return message.empty() ? default_message(public_code) : std::string_view(message);
}

}  // namespace latchkey
