#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/error_code.hpp"
#include "core/expected.hpp"

namespace latchkey {

// One validation failure, shaped like FastAPI's: loc is a path of names and indexes.
struct FieldError {
  std::vector<std::variant<std::string, int64_t>> loc;
  std::string msg;
  std::string type;
};

// A failure on its way to a surface. Layers add what they own: a store says what class of
// failure happened and why (for the log); a service gives the stable code and the wording;
// each surface renders code, wording and fields in its own body shape.
struct Error {
  Errc code = Errc::internal;
  ErrorCode public_code = ErrorCode::unexpected_failure;
  std::string message;  // public wording; empty: default_message(public_code)
  std::string detail;   // for logs only; never sent
  std::vector<FieldError> fields;
  // Public explanation beyond the message, for surfaces whose bodies carry one (PostgREST's
  // `details` and `hint`): only what the caller sent or may know, never a secret.
  std::string details;
  std::string hint;
  int retry_after_s = 0;

  // A store's or driver's failure: its class and, for the log, what happened. No wording.
  static Error of(Errc code, std::string detail = {});
  // A service's failure: the stable code (which fixes the class) and its public wording.
  static Error make(ErrorCode code, std::string message, std::string detail = {});
  // Input that failed validation, field by field.
  static Error validation(std::vector<FieldError> fields, std::string message);
  // A failure at start-up (configuration, files, listening, opening the store): the message
  // is for the operator's terminal, not for a client.
  static Error startup(Errc code, std::string message, std::string detail = {});

  // The same failure under a more specific code and wording (a service naming a store error).
  Error with_code(ErrorCode public_code, std::string message) &&;
  // Adds the public details and hint.
  Error with_details(std::string details, std::string hint = {}) &&;
  // Adds when a client may try again (rate limits, a saturated pool).
  Error retry_after(int seconds) &&;

  // The public wording, falling back to the code's default.
  std::string_view public_message() const;
};

template <class T>
using Result = core::Expected<T, Error>;

inline core::Unexpected<Error> fail(Error e) { return core::Unexpected<Error>(std::move(e)); }

}  // namespace latchkey
