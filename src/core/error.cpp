#include "core/error.hpp"

#include <iterator>

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
    {ErrorCode::token_expired, "token_expired", Errc::unauthenticated, "Could not validate credentials"},
    {ErrorCode::no_api_key, "no_api_key", Errc::unauthenticated, "No API key found in request"},
    {ErrorCode::invalid_api_key, "invalid_api_key", Errc::unauthenticated, "Invalid API key"},
    {ErrorCode::not_admin, "not_admin", Errc::forbidden, "User not allowed"},
    {ErrorCode::user_banned, "user_banned", Errc::forbidden, "User is banned"},
    {ErrorCode::weak_password, "weak_password", Errc::invalid_input,
     "Password should be at least 8 characters."},
    {ErrorCode::same_password, "same_password", Errc::invalid_input,
     "New password should be different from the old password."},
    {ErrorCode::email_exists, "email_exists", Errc::conflict,
     "A user with this email address has already been registered"},
    {ErrorCode::email_address_invalid, "email_address_invalid", Errc::invalid_input,
     "Unable to validate email address: invalid format"},
    {ErrorCode::signup_disabled, "signup_disabled", Errc::forbidden,
     "Signups not allowed for this instance"},
    {ErrorCode::email_not_confirmed, "email_not_confirmed", Errc::unauthenticated,
     "Email not confirmed"},
    {ErrorCode::query_parse_failed, "PGRST100", Errc::invalid_input, "Failed to parse the query"},
    {ErrorCode::invalid_body, "PGRST102", Errc::invalid_input, "Empty or invalid json"},
    {ErrorCode::range_not_satisfiable, "PGRST103", Errc::bad_request,
     "Requested range not satisfiable"},
    {ErrorCode::invalid_schema, "PGRST106", Errc::bad_request, "Invalid schema"},
    {ErrorCode::not_acceptable, "PGRST107", Errc::bad_request,
     "None of these media types are available"},
    {ErrorCode::not_single_row, "PGRST116", Errc::bad_request,
     "Cannot coerce the result to a single JSON object"},
    {ErrorCode::unknown_body_column, "PGRST204", Errc::invalid_input,
     "Could not find a column in the schema cache"},
    {ErrorCode::table_not_found, "PGRST205", Errc::not_found,
     "Could not find the table in the schema cache"},
    {ErrorCode::unknown_column, "42703", Errc::invalid_input, "Column does not exist"},
    {ErrorCode::row_security_violation, "42501", Errc::forbidden,
     "new row violates row-level security policy for table \"user_data\""},
    {ErrorCode::unique_violation, "23505", Errc::conflict,
     "duplicate key value violates unique constraint \"user_data_pkey\""},
    {ErrorCode::not_null_violation, "23502", Errc::invalid_input,
     "null value violates not-null constraint"},
    {ErrorCode::invalid_text_representation, "22P02", Errc::invalid_input, "invalid input syntax"},
    {ErrorCode::invalid_datetime_format, "22007", Errc::invalid_input,
     "invalid input syntax for type timestamp with time zone"},
    {ErrorCode::value_too_long, "22001", Errc::invalid_input,
     "value too long for type character varying(255)"},
    {ErrorCode::datatype_mismatch, "42804", Errc::invalid_input, "datatype mismatch"},
    {ErrorCode::undefined_function, "42883", Errc::invalid_input, "operator does not exist"},
    {ErrorCode::invalid_conflict_target, "42P10", Errc::invalid_input,
     "there is no unique or exclusion constraint matching the ON CONFLICT specification"},
    {ErrorCode::check_violation, "23514", Errc::invalid_input,
     "new row for relation \"user_data\" violates check constraint \"user_data_metadata_object\""},
    {ErrorCode::untranslatable_character, "22P05", Errc::invalid_input,
     "unsupported Unicode escape sequence"},
    {ErrorCode::missing_where, "21000", Errc::bad_request, "A WHERE clause is required"},
    {ErrorCode::foreign_key_violation, "23503", Errc::conflict,
     "insert or update on table \"user_data\" violates foreign key constraint "
     "\"user_data_user_id_fkey\""},
    {ErrorCode::cardinality_violation, "21000", Errc::invalid_input,
     "ON CONFLICT DO UPDATE command cannot affect row a second time"},
    {ErrorCode::invalid_preferences, "PGRST122", Errc::bad_request,
     "Invalid preferences given with handling=strict"},
    {ErrorCode::max_affected_exceeded, "PGRST124", Errc::bad_request,
     "Query result exceeds max-affected preference constraint"},
    {ErrorCode::over_email_send_rate_limit, "over_email_send_rate_limit", Errc::rate_limited,
     "For security purposes, you can only request this after a while"},
    {ErrorCode::otp_expired, "otp_expired", Errc::unauthenticated,
     "Token has expired or is invalid"},
};

// A code added to the enum without a row here would index past the table.
static_assert(std::size(kCodes) == static_cast<size_t>(ErrorCode::otp_expired) + 1,
              "one row per ErrorCode; update this check when adding a last code");

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

Error Error::with_details(std::string public_details, std::string public_hint) && {
  details = std::move(public_details);
  hint = std::move(public_hint);
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
