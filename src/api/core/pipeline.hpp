#pragma once
#include <string>
#include <vector>

#include "api/core/route_table.hpp"
#include "auth/auth_service.hpp"
#include "core/ip_address.hpp"
#include "core/worker_pool.hpp"
#include "http/message.hpp"

namespace latchkey::api {

struct PipelineDeps {
  const RouteTable& routes;
  auth::AuthService& auth;  // token verification and session liveness
  core::WorkerPool& store_pool;
  core::WorkerPool& hash_pool;
};

struct PipelineOptions {
  // Peers (load balancers) whose X-Forwarded-For is believed: behind them, the client address
  // used for rate limits is the nearest untrusted address in that header.
  std::vector<std::string> trusted_proxies;
};

// Every request's path through the API, whatever the surface: client address, CORS and
// common headers, routing (404/405), authentication (bearer token, then session liveness on
// the store pool) before the handler sees anything, then the handler's steps across the
// worker pools, each surface rendering its own errors.
class Pipeline final : public http::Handler {
 public:
  Pipeline(PipelineDeps deps, PipelineOptions options);

  void handle(http::Request req, http::Reply reply) override;
  http::Response protocol_error(int status, std::string_view message) override;

 private:
  // Runs `outcome` to its end: replies, or submits the next step (on this thread if it
  // names the pool `here` is).
  void settle(Outcome outcome, Call& call, const Surface& surface, const http::Reply& reply,
              const core::WorkerPool* here);
  void submit(core::WorkerPool& pool, Call call, std::function<Outcome(Call&)> run,
              const Surface& surface, http::Reply reply);
  // The principal a route's access level admits, from the bearer token (CPU only).
  Result<auth::Principal> authenticate(Access access, const http::Request& req) const;
  Outcome run_guarded(const std::function<Outcome(Call&)>& run, Call& call);
  core::WorkerPool& pool(Pool p) { return p == Pool::store ? deps_.store_pool : deps_.hash_pool; }
  std::string client_address(const http::Request& req) const;

  PipelineDeps deps_;
  core::AddressList trusted_proxies_;
};

// "Bearer <token>", scheme case-insensitive; empty if absent or another scheme.
std::string_view bearer_token(const http::Request& req);

}  // namespace latchkey::api
