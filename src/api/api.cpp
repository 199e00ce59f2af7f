#include "api/api.hpp"

#include <algorithm>
#include <exception>

#include "api/errors.hpp"
#include "api/router.hpp"
#include "api/routes.hpp"
#include "core/ascii.hpp"
#include "core/ip_address.hpp"
#include "core/log.hpp"

namespace latchkey::api {
namespace {

enum class Access { anonymous, user };

struct Route {
  http::Method method;
  std::string_view pattern;
  Access access;
  void (*handler)(Api&, Call&&);
};

constexpr Route kRoutes[] = {
    {http::Method::get, "/", Access::anonymous, get_root},
    {http::Method::get, "/health", Access::anonymous, get_health},
    {http::Method::get, "/openapi.json", Access::anonymous, get_openapi},
    {http::Method::get, "/docs", Access::anonymous, get_docs_page},
    {http::Method::get, "/docs/{file}", Access::anonymous, get_docs_asset},
    {http::Method::post, "/auth/register", Access::anonymous, post_register},
    {http::Method::post, "/auth/login", Access::anonymous, post_login},
    {http::Method::post, "/auth/logout", Access::user, post_logout},
    {http::Method::get, "/auth/me", Access::user, get_me},
    {http::Method::post, "/auth/refresh", Access::anonymous, post_refresh},
    {http::Method::post, "/data", Access::user, post_item},
    {http::Method::get, "/data", Access::user, list_items},
    {http::Method::get, "/data/{id}", Access::user, get_item},
    {http::Method::put, "/data/{id}", Access::user, put_item},
    {http::Method::del, "/data/{id}", Access::user, delete_item},
};

const char* method_name(http::Method m) {
  switch (m) {
    case http::Method::get:
      return "GET";
    case http::Method::head:
      return "HEAD";
    case http::Method::post:
      return "POST";
    case http::Method::put:
      return "PUT";
    case http::Method::patch:
      return "PATCH";
    case http::Method::del:
      return "DELETE";
    case http::Method::options:
      return "OPTIONS";
    case http::Method::other:
      return "OTHER";
  }
  return "OTHER";
}

// "Bearer <token>", scheme case-insensitive; empty if absent or another scheme.
std::string_view bearer_token(const http::Request& req) {
  auto v = req.header("authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (v.size() <= kScheme.size() || !core::ascii_iequals(v.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  v.remove_prefix(kScheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

// Compared in canonical form, so "::1" and "0:0::1" are one proxy.
std::vector<std::string> canonical_addresses(const std::vector<std::string>& ips) {
  std::vector<std::string> out;
  for (const auto& ip : ips) out.push_back(core::canonical_ip(ip).value_or(ip));
  return out;
}

Error pool_full() {
  return Error::make(ErrorCode::service_unavailable, "Server busy, retry shortly", "pool full")
      .retry_after(1);
}

}  // namespace

Api::Api(ApiDeps deps, ApiOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      trusted_proxies_(canonical_addresses(options_.trusted_proxies)),
      any_origin_(options_.cors_origins.empty() ||
                  std::find(options_.cors_origins.begin(), options_.cors_origins.end(), "*") !=
                      options_.cors_origins.end()) {}

void Api::handle(http::Request req, http::Reply reply) {
  if (!trusted_proxies_.empty()) req.remote_ip = client_address(req);
  const auto origin = req.header("origin");
  reply = with_common_headers(std::move(reply), origin);
  if (req.method == http::Method::options && !origin.empty() &&
      !req.header("access-control-request-method").empty()) {
    reply(preflight(req));
    return;
  }
  const auto method = req.method == http::Method::head ? http::Method::get : req.method;
  std::string param;
  std::string allowed;
  const Route* found = nullptr;
  auto consider = [&](const Route& r) {
    if (found || !match_path(r.pattern, req.path, param)) return;
    if (r.method == method) {
      found = &r;
    } else {
      if (!allowed.empty()) allowed += ", ";
      allowed += method_name(r.method);
    }
  };
  for (const auto& r : kRoutes) consider(r);
  if (!found) {
    if (allowed.empty()) {
      reply(error_response(404, "Not Found"));
    } else {
      auto r = error_response(405, "Method Not Allowed");
      r.headers.push_back({"Allow", allowed});
      reply(std::move(r));
    }
    return;
  }

  Call call{std::move(req), std::move(reply), std::nullopt, std::move(param)};
  if (found->access == Access::user) {
    const auto token = bearer_token(call.req);
    if (token.empty()) {
      reply_error(call, Error::make(ErrorCode::no_authorization, "Not authenticated",
                                    "no bearer token"));
      return;
    }
    auto principal = deps_.auth.verify_access_token(token);
    if (!principal) {
      reply_error(call, principal.error());
      return;
    }
    call.principal = std::move(principal).value();
    authenticate_then(std::move(call), found->handler);
    return;
  }
  found->handler(*this, std::move(call));
}

void Api::authenticate_then(Call&& call, void (*handler)(Api&, Call&&)) {
  auto reply = call.reply;  // kept for the refusal path
  const bool queued = deps_.db_pool.try_submit([this, call = std::move(call), handler]() mutable {
    // Authentication comes before anything about the request is looked at: a revoked
    // session (logout, refresh-token reuse) gets 401, never a 404 or 422 that would tell
    // a token thief which ids or inputs are valid (issue 8).
    if (auto open = deps_.auth.check_session(*call.principal); !open) {
      call.reply(error_response(open.error()));
      return;
    }
    call.running_on = &deps_.db_pool;
    auto reply = call.reply;
    try {
      handler(*this, std::move(call));
    } catch (const std::exception& e) {
      core::log_event(core::LogLevel::error, "unhandled exception", {{"what", e.what()}});
      reply(error_response(500, "Internal server error"));  // ignored if already answered
    }
  });
  if (!queued) reply(error_response(pool_full()));
}

std::string Api::client_address(const http::Request& req) const {
  auto trusted = [&](std::string_view ip) {
    const auto canonical = core::canonical_ip(ip);
    return canonical && std::find(trusted_proxies_.begin(), trusted_proxies_.end(), *canonical) !=
                            trusted_proxies_.end();
  };
  if (!trusted(req.remote_ip)) return req.remote_ip;
  // Walk X-Forwarded-For from the right: each hop was appended by the proxy before it, so
  // only entries added by trusted proxies can be believed; the first other one is the client.
  // Every line of the header counts (issue 8: HAProxy appends a second line after the one
  // the client wrote, and reading only the first let clients pick their own address).
  const std::string header = req.header_list("x-forwarded-for");
  std::string_view list = header;
  std::string client = req.remote_ip;
  while (!list.empty()) {
    const auto comma = list.rfind(',');
    auto hop = comma == std::string_view::npos ? list : list.substr(comma + 1);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(0, comma);
    while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) hop.remove_prefix(1);
    while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) hop.remove_suffix(1);
    if (hop.empty()) break;
    client.assign(hop);
    if (!trusted(hop)) break;
  }
  return client;
}

http::Response Api::protocol_error(int status, std::string_view message) {
  auto r = error_response(status, message);
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return r;
}

void Api::on_store_pool(Call&& call, Job job) {
  run_on(deps_.db_pool, std::move(call), std::move(job));
}

void Api::on_hash_pool(Call&& call, Job job) {
  run_on(deps_.hash_pool, std::move(call), std::move(job));
}

void Api::hand_off_to_store_pool(Call& call, Job job) {
  Call next = std::move(call);
  call.handed_off = true;
  run_on(deps_.db_pool, std::move(next), std::move(job));
}

void Api::run_here(Call& call, const Job& job) {
  http::Response response;
  try {
    response = job(call);
  } catch (const std::exception& e) {
    core::log_event(core::LogLevel::error, "unhandled exception",
                    {{"what", e.what()}, {"request_id", call.req.request_id}});
    response = error_response(500, "Internal server error");
  }
  if (!call.handed_off) call.reply(std::move(response));
}

void Api::run_on(core::WorkerPool& pool, Call&& call, Job job) {
  if (call.running_on == &pool) return run_here(call, job);
  auto reply = call.reply;  // kept for the refusal path: a refused job is dropped whole
  const bool queued =
      pool.try_submit([this, &pool, call = std::move(call), job = std::move(job)]() mutable {
        call.running_on = &pool;
        run_here(call, job);
      });
  if (!queued) reply(error_response(pool_full()));
}

bool Api::origin_allowed(std::string_view origin) const {
  return any_origin_ || std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                  origin) != options_.cors_origins.end();
}

http::Reply Api::with_common_headers(http::Reply reply, std::string_view origin) const {
  std::string allow_origin;
  if (!origin.empty() && origin_allowed(origin))
    allow_origin = any_origin_ ? "*" : std::string(origin);
  const bool vary = !any_origin_;
  return
      [reply = std::move(reply), allow_origin = std::move(allow_origin), vary](http::Response r) {
        // Responses can carry tokens or private data: no cache may keep them.
        r.headers.push_back({"Cache-Control", "no-store"});
        r.headers.push_back({"X-Content-Type-Options", "nosniff"});
        if (!allow_origin.empty())
          r.headers.push_back({"Access-Control-Allow-Origin", allow_origin});
        if (vary) r.headers.push_back({"Vary", "Origin"});
        reply(std::move(r));
      };
}

http::Response Api::preflight(const http::Request& req) const {
  if (!origin_allowed(req.header("origin"))) {
    auto r = error_response(400, "Disallowed CORS origin");
    return r;
  }
  http::Response r;
  r.status = 200;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "OK";
  r.headers.push_back({"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"});
  // Only the headers the API reads; credentials (cookies) are never allowed.
  r.headers.push_back(
      {"Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id"});
  r.headers.push_back({"Access-Control-Max-Age", "600"});
  return r;
}

}  // namespace latchkey::api
