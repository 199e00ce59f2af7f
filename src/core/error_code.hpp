#pragma once
#include <string_view>

namespace latchkey {

// What went wrong, in domain terms: the class of a failure. Each surface maps it to one
// HTTP status (and stores report only this, plus a detail for the log).
enum class Errc {
  invalid_input,    // a field failed validation; `fields` says which
  bad_request,      // well-formed but refused (e.g. nothing to update)
  unauthenticated,  // credentials or token missing, wrong, expired or revoked
  forbidden,
  not_found,
  conflict,      // unique value already taken
  rate_limited,  // too many attempts; `retry_after_s` says when to retry
  unavailable,   // a dependency (database, worker pool) cannot serve now
  internal,
};

// The stable, machine-readable code every error carries: one catalogue for every surface.
// Names follow Supabase Auth's ErrorCode list where it has one (supabase-js clients switch on
// them); the rest are ours. Never renamed once released: clients depend on the text.
enum class ErrorCode {
  unexpected_failure,         // internal
  service_unavailable,        // unavailable: database down, worker pool full
  validation_failed,          // invalid_input
  bad_json,                   // invalid_input: the body is not JSON
  no_authorization,           // unauthenticated: no bearer token
  bad_jwt,                    // unauthenticated: token malformed, forged or expired
  session_not_found,          // unauthenticated: the token's session is closed
  user_not_found,             // unauthenticated: the token's user is gone
  invalid_credentials,        // unauthenticated: wrong email or password
  refresh_token_not_found,    // unauthenticated
  refresh_token_already_used, // unauthenticated: replayed; the session is revoked
  user_already_exists,        // conflict: the email is taken
  over_request_rate_limit,    // rate_limited: per client address
  over_login_rate_limit,      // rate_limited: per account, after failed logins
  item_not_found,             // not_found: absent, someone else's or malformed id
  no_fields_to_update,        // bad_request
  not_found,                  // not_found: no such route or resource
  method_not_allowed,         // bad_request class, rendered 405
  request_rejected,           // bad_request: refused by the HTTP layer (framing, size)
  conflict,                   // conflict: another unique value
  forbidden,                  // forbidden
  // Supabase Auth (GoTrue) surface
  token_expired,              // unauthenticated: a well-formed token past its exp
  no_api_key,                 // unauthenticated: the gateway found no apikey
  invalid_api_key,            // unauthenticated: the apikey is not one of ours
  not_admin,                  // forbidden: the route needs the service_role key
  user_banned,                // forbidden: the account is banned
  weak_password,              // invalid_input: the password fails the policy
  same_password,              // invalid_input: the new password equals the old one
  email_exists,               // conflict: another account has this email (admin, email change)
  email_address_invalid,      // invalid_input
  signup_disabled,            // forbidden
  email_not_confirmed,        // unauthenticated: a correct password, an unconfirmed email
  // PostgREST surface: each renders as PostgREST's own code (in the comment)
  query_parse_failed,         // invalid_input, PGRST100: bad select/filter/order/range syntax
  invalid_body,               // invalid_input, PGRST102: body not a JSON object or array
  range_not_satisfiable,      // bad_request, PGRST103
  invalid_schema,             // bad_request, PGRST106: Accept-/Content-Profile not "public"
  not_acceptable,             // bad_request, PGRST107: Accept names no type we produce
  not_single_row,             // bad_request, PGRST116: .single() got 0 or several rows
  unknown_body_column,        // invalid_input, PGRST204: a body key that is no column
  table_not_found,            // not_found, PGRST205
  unknown_column,             // invalid_input, 42703: select/filter/order names no column
  row_security_violation,     // forbidden, 42501
  unique_violation,           // conflict, 23505
  not_null_violation,         // invalid_input, 23502
  invalid_text_representation,// invalid_input, 22P02: a malformed uuid, JSON or boolean
  invalid_datetime_format,    // invalid_input, 22007
  value_too_long,             // invalid_input, 22001
  datatype_mismatch,          // invalid_input, 42804: e.g. title=is.true
  undefined_function,         // invalid_input, 42883: an operator the column's type lacks
  invalid_conflict_target,    // invalid_input, 42P10: on_conflict names no unique key
  check_violation,            // invalid_input, 23514: metadata that is not an object or null
  untranslatable_character,   // invalid_input, 22P05: text holding U+0000
  missing_where,              // bad_request, 21000: PATCH/DELETE without a filter
  foreign_key_violation,      // conflict, 23503: user_id names no user
  cardinality_violation,      // invalid_input, 21000: one upsert names a row twice
  invalid_preferences,        // bad_request, PGRST122: unknown Prefer with handling=strict
  max_affected_exceeded,      // bad_request, PGRST124: a write over Prefer max-affected
  // Account mail (issue 11)
  over_email_send_rate_limit, // rate_limited: too soon for another mail to this address
  otp_expired,                // unauthenticated: a code or link that is wrong, used or expired
};

// The code's text as clients see it, e.g. "item_not_found".
std::string_view error_code_name(ErrorCode code);
// The class a code belongs to (what status it maps to).
Errc error_class(ErrorCode code);
// The code an error of this class carries when nothing more specific was said.
ErrorCode default_error_code(Errc code);
// Public wording for an error that carries no message of its own.
std::string_view default_message(ErrorCode code);

}  // namespace latchkey
