#pragma once
#include "api/core/route.hpp"

namespace latchkey::api {

// Wraps `reply` so every response carries the common headers (no caching, nosniff) and,
// for an allowed `origin`, the surface's CORS headers.
http::Reply with_common_headers(http::Reply reply, const CorsPolicy& cors, std::string_view origin);
// The CORS policy of Supabase's surfaces (/auth/v1, /rest/v1; shared/reference/
// supabase-wire.md section 2): every header supabase-js sends may be sent, and the ones it
// reads may be read.
CorsPolicy supabase_cors(std::vector<std::string> origins);
// Whether `req` is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method).
bool is_preflight(const http::Request& req);
// The answer to a preflight under `cors`; a disallowed origin gets the surface's 400.
http::Response preflight(const http::Request& req, const Surface& surface);

}  // namespace latchkey::api
