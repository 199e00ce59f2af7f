#include "api/core/pipeline.hpp"

#include <exception>
#include <memory>
#include <utility>

#include "api/core/cors.hpp"
#include "core/ascii.hpp"
#include "core/ip_address.hpp"
#include "core/log.hpp"

namespace latchkey::api {
namespace {

// The call whose handler runs on this thread, and the pool after_reply hands jobs to.
struct Running {
  Call* call = nullptr;
  core::WorkerPool* pool = nullptr;
};
thread_local Running t_running;

Error pool_full() {
  return Error::make(ErrorCode::service_unavailable, "Server busy, retry shortly", "pool full")
      .retry_after(1);
}

}  // namespace

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

void after_reply(std::function<void()> job) {
  if (!t_running.call) return job();
  core::WorkerPool& pool = *t_running.pool;
  std::shared_ptr<void>& handle = t_running.call->after_sent;
  // The new handle owns the older one: jobs run in the order they were queued.
  handle = std::shared_ptr<void>(
      nullptr, [job = std::move(job), &pool, earlier = std::move(handle)](void*) mutable {
        earlier.reset();
        // Unbounded: the routes that queue these draw on per-client limits. Inline only while
        // shutting down, when the pool takes no more work and blocking does no harm.
        if (!pool.submit_unbounded(job)) job();
      });
}

Pipeline::Pipeline(PipelineDeps deps, PipelineOptions options)
    : deps_(deps), trusted_proxies_(options.trusted_proxies) {}

void Pipeline::handle(http::Request req, http::Reply reply) {
  if (!trusted_proxies_.empty()) req.remote_ip = client_address(req);
  const auto method = req.method == http::Method::head ? http::Method::get : req.method;
  auto match = deps_.routes.match(method, req.path);
  const Surface& surface = *match.surface;
  reply = with_common_headers(std::move(reply), surface.cors, req.header("origin"));
  if (is_preflight(req)) return reply(preflight(req, surface));
  if (!match.route) {
    if (match.allowed.empty()) return reply(surface.errors.status(404, "Not Found"));
    auto r = surface.errors.status(405, "Method Not Allowed");
    r.headers.push_back({"Allow", match.allowed});
    return reply(std::move(r));
  }

  const Route& route = *match.route;
  if (surface.gate) {
    if (auto refused = surface.gate(req, route)) return reply(surface.errors.error(*refused));
  }
  Call call{std::move(req), std::nullopt, std::move(match.param)};
  const RouteHandler* handler = &route.handler;  // the table outlives every request
  if (route.access != Access::anonymous) {
    // Authentication comes before anything about the request is looked at: a forged,
    // expired or revoked token gets 401, never a 404 or 422 that would tell a token thief
    // which ids or inputs are valid (issue 8). The signature is checked here (no I/O).
    auto principal = authenticate(route.access, call.req);
    if (!principal) return reply(surface.errors.error(principal.error()));
    call.principal = std::move(principal).value();
    if (call.principal->is_user()) {
      // A user's session needs the store; the handler then starts on that same thread.
      return submit(
          deps_.store_pool, std::move(call),
          [this, handler](Call& c) -> Outcome {
            if (auto open = deps_.auth.check_session(*c.principal); !open) return open.error();
            return (*handler)(c);
          },
          surface, std::move(reply));
    }
  }
  if (route.runs_on) {
    return submit(
        pool(*route.runs_on), std::move(call), [handler](Call& c) { return (*handler)(c); },
        surface, std::move(reply));
  }
  settle(run_guarded(*handler, call), call, surface, reply, nullptr);
}

Result<auth::Principal> Pipeline::authenticate(Access access, const http::Request& req) const {
  const auto token = bearer_token(req);
  if (token.empty()) {
    // Supabase's data API treats a request without a token as the anon role.
    if (access == Access::any_role) return auth::Principal{{}, {}, {}, auth::Role::anon};
    return fail(Error::make(ErrorCode::no_authorization, "Not authenticated", "no bearer token"));
  }
  if (access == Access::user) return deps_.auth.verify_access_token(token);
  auto principal = deps_.auth.verify_bearer(token);
  if (!principal) return principal;
  if (access == Access::service_role && principal->role != auth::Role::service_role)
    return fail(Error::make(ErrorCode::not_admin, "User not allowed", "not service_role"));
  return principal;
}

void Pipeline::settle(Outcome outcome, Call& call, const Surface& surface,
                      const http::Reply& reply, const core::WorkerPool* here) {
  auto answer = [&](http::Response r) {
    r.after_sent = std::move(call.after_sent);
    reply(std::move(r));
  };
  for (;;) {
    if (auto* response = std::get_if<http::Response>(&outcome)) return answer(std::move(*response));
    if (auto* error = std::get_if<Error>(&outcome)) return answer(surface.errors.error(*error));
    Step step = std::get<Step>(std::move(outcome));
    core::WorkerPool& next = pool(step.pool);
    // Already on that pool's thread: run on the spot instead of queueing again.
    if (&next != here) return submit(next, std::move(call), std::move(step.run), surface, reply);
    outcome = run_guarded(step.run, call);
  }
}

void Pipeline::submit(core::WorkerPool& target, Call call, std::function<Outcome(Call&)> run,
                      const Surface& surface, http::Reply reply) {
  auto refused = reply;  // a refused job is dropped whole: the answer comes from here
  const bool queued = target.try_submit([this, &target, &surface, call = std::move(call),
                                         run = std::move(run), reply = std::move(reply)]() mutable {
    settle(run_guarded(run, call), call, surface, reply, &target);
  });
  if (!queued) refused(surface.errors.error(pool_full()));
}

Outcome Pipeline::run_guarded(const std::function<Outcome(Call&)>& run, Call& call) {
  struct Scope {
    Running outer;
    Scope(Call& c, core::WorkerPool& pool) : outer(std::exchange(t_running, Running{&c, &pool})) {}
    ~Scope() { t_running = outer; }
  } scope(call, deps_.store_pool);
  try {
    return run(call);
  } catch (const std::exception& e) {
    core::log_event(core::LogLevel::error, "unhandled exception",
                    {{"what", e.what()}, {"request_id", call.req.request_id}});
    return Error::of(Errc::internal, "unhandled exception");
  }
}

std::string Pipeline::client_address(const http::Request& req) const {
  auto trusted = [&](std::string_view ip) { return trusted_proxies_.contains(ip); };
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

http::Response Pipeline::protocol_error(int status, std::string_view message) {
  auto r = deps_.routes.surface_for("/").errors.status(status, message);
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return r;
}

}  // namespace latchkey::api
