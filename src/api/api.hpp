#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_service.hpp"
#include "core/worker_pool.hpp"
#include "data/item_service.hpp"
#include "http/message.hpp"

namespace latchkey::api {

struct ApiOptions {
  std::string service_name = "latchkey";
  // Origins allowed by CORS; empty or "*" means any origin (never with credentials).
  std::vector<std::string> cors_origins;
  // Peers (load balancers) whose X-Forwarded-For is believed: behind them, the client address
  // used for rate limits is the nearest untrusted address in that header.
  std::vector<std::string> trusted_proxies;
};

struct ApiDeps {
  auth::AuthService& auth;
  data::ItemService& items;
  std::function<Result<void>()> health_check;  // blocking
  core::WorkerPool& db_pool;                   // store calls
  core::WorkerPool& hash_pool;                 // anything that hashes a password
};

// One request being served: what a route handler gets.
struct Call {
  http::Request req;
  http::Reply reply;
  std::optional<auth::Principal> principal;  // set for routes that need a user
  std::string param;                         // the {id} / {file} path segment, if any
  bool handed_off = false;                   // moved on to another pool; see hand_off_*
  // The pool whose thread is running the handler, if any: work for that pool then runs on
  // the spot instead of queueing again.
  const core::WorkerPool* running_on = nullptr;
};

// The seed API over the domain services: routing, authentication of bearer tokens, CORS,
// common response headers, and hand-off of blocking work to the worker pools.
class Api final : public http::Handler {
 public:
  Api(ApiDeps deps, ApiOptions options);

  void handle(http::Request req, http::Reply reply) override;
  http::Response protocol_error(int status, std::string_view message) override;

  // For route handlers.
  auth::AuthService& auth() { return deps_.auth; }
  data::ItemService& items() { return deps_.items; }
  const ApiOptions& options() const { return options_; }
  Result<void> health_check() { return deps_.health_check(); }

  using Job = std::function<http::Response(Call&)>;
  // Runs `job` on the store pool and replies with its response; 503 if the pool is saturated.
  void on_store_pool(Call&& call, Job job);
  // The same on the hashing pool.
  void on_hash_pool(Call&& call, Job job);
  // From inside a job: continue the call on the store pool; the current job's response is
  // then ignored. Lets a hashing thread go back to hashing instead of waiting on a commit.
  void hand_off_to_store_pool(Call& call, Job job);

 private:
  void run_on(core::WorkerPool& pool, Call&& call, Job job);
  // Runs `job` here and replies with its response, or 500 if it throws.
  void run_here(Call& call, const Job& job);
  // The second half of authentication, on the store pool: the session behind the verified
  // token must still be open. Then the route's handler runs, on that thread.
  void authenticate_then(Call&& call, void (*handler)(Api&, Call&&));
  bool origin_allowed(std::string_view origin) const;
  http::Reply with_common_headers(http::Reply reply, std::string_view origin) const;
  http::Response preflight(const http::Request& req) const;
  std::string client_address(const http::Request& req) const;

  ApiDeps deps_;
  ApiOptions options_;
  std::vector<std::string> trusted_proxies_;  // canonical text
  bool any_origin_;
};

}  // namespace latchkey::api
