#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/expected.hpp"

namespace latchkey {

// What went wrong, in domain terms. The API layer maps each value to one HTTP status.
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

// One validation failure, shaped like FastAPI's: loc is a path of names and indexes.
struct FieldError {
  std::vector<std::variant<std::string, int64_t>> loc;
  std::string msg;
  std::string type;
};

struct Error {
  Errc code = Errc::internal;
  std::string message;  // public, stable wording sent to the client
  std::string detail;   // for logs only; never sent
  std::vector<FieldError> fields;
  int retry_after_s = 0;
};

template <class T>
using Result = core::Expected<T, Error>;

inline core::Unexpected<Error> fail(Errc code, std::string message, std::string detail = {}) {
  return core::Unexpected<Error>(Error{code, std::move(message), std::move(detail), {}, 0});
}
inline core::Unexpected<Error> fail(Error e) { return core::Unexpected<Error>(std::move(e)); }

}  // namespace latchkey
