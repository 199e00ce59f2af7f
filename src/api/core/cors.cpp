#include "api/core/cors.hpp"

#include <algorithm>

namespace latchkey::api {
namespace {

bool any_origin(const CorsPolicy& cors) {
  return cors.origins.empty() ||
         std::find(cors.origins.begin(), cors.origins.end(), "*") != cors.origins.end();
}

bool origin_allowed(const CorsPolicy& cors, std::string_view origin) {
  return any_origin(cors) ||
         std::find(cors.origins.begin(), cors.origins.end(), origin) != cors.origins.end();
}

}  // namespace

http::Reply with_common_headers(http::Reply reply, const CorsPolicy& cors,
                                std::string_view origin) {
  const bool any = any_origin(cors);
  std::string allow_origin;
  if (!origin.empty() && origin_allowed(cors, origin)) allow_origin = any ? "*" : std::string(origin);
  std::string expose;
  if (!allow_origin.empty()) expose = cors.expose_headers;
  return [reply = std::move(reply), allow_origin = std::move(allow_origin),
          expose = std::move(expose), vary = !any](http::Response r) {
    // Responses can carry tokens or private data: no cache may keep them.
    r.headers.push_back({"Cache-Control", "no-store"});
    r.headers.push_back({"X-Content-Type-Options", "nosniff"});
    if (!allow_origin.empty()) r.headers.push_back({"Access-Control-Allow-Origin", allow_origin});
    if (!expose.empty()) r.headers.push_back({"Access-Control-Expose-Headers", expose});
    if (vary) r.headers.push_back({"Vary", "Origin"});
    reply(std::move(r));
  };
}

bool is_preflight(const http::Request& req) {
  return req.method == http::Method::options && !req.header("origin").empty() &&
         !req.header("access-control-request-method").empty();
}

http::Response preflight(const http::Request& req, const Surface& surface) {
  if (!origin_allowed(surface.cors, req.header("origin")))
    return surface.errors.status(400, "Disallowed CORS origin");
  http::Response r;
  r.status = 200;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "OK";
  r.headers.push_back({"Access-Control-Allow-Methods", surface.cors.allow_methods});
  // Only the headers the surface reads; credentials (cookies) are never allowed.
  r.headers.push_back({"Access-Control-Allow-Headers", surface.cors.allow_headers});
  r.headers.push_back({"Access-Control-Max-Age", std::to_string(surface.cors.max_age_s)});
  return r;
}

CorsPolicy supabase_cors(std::vector<std::string> origins) {
  CorsPolicy cors{std::move(origins), "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
                  "authorization, apikey, x-client-info, content-type, x-supabase-api-version, "
                  "prefer, accept, accept-profile, content-profile, x-retry-count, range, "
                  "range-unit, traceparent, tracestate, baggage, x-request-id",
                  // Every call is preflighted (its headers are not simple): cache the answer.
                  86400};
  cors.expose_headers =
      "X-Supabase-Api-Version, Content-Range, X-Total-Count, Link, Location, "
      "Content-Location, Preference-Applied, x-sb-error-code, Retry-After, X-Request-Id";
  return cors;
}

}  // namespace latchkey::api
