#pragma once
#include <string_view>

#include "api/core/route.hpp"
#include "core/error.hpp"
#include "http/message.hpp"

namespace latchkey::api::seed {

// The tutorial API's Errc -> HTTP status mapping.
int http_status(Errc code);

// Error body carrying both FastAPI's field and the tutorial's:
// {"detail": <message, or for 422 the list of field errors>, "error": true,
//  "message": <message>, "status_code": <status>}. Error::detail is for logs and never sent.
http::Response error_response(const Error& error);
// For errors that have no Errc (404 unknown path, 405, protocol errors from the HTTP layer).
http::Response error_response(int status, std::string_view message);

// The two together, for the seed surfaces.
ErrorRenderer tutorial_errors();

}  // namespace latchkey::api::seed
