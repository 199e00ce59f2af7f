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
