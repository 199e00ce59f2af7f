// Service routes: banner, health and the public signing keys.
#include "api/seed/handlers.hpp"
#include "api/seed/response_body.hpp"
#include "core/json_text.hpp"

namespace latchkey::api::seed {

Outcome get_root(const SeedDeps& deps, Call&) {
  return json_ok(message_json(deps.service_name + " is running!"));
}

// Runs on the store pool: the check is a query.
Outcome get_health(const SeedDeps& deps, Call&) {
  const bool healthy = bool(deps.health_check());
  std::string body = healthy ? "{\"status\":\"healthy\",\"service\":"
                             : "{\"status\":\"unhealthy\",\"database\":\"unreachable\",\"service\":";
  core::append_json_string(body, deps.service_name);
  body.push_back('}');
  auto r = json_ok(std::move(body));
  if (!healthy) {
    r.status = 503;
    r.headers.push_back({"Retry-After", "1"});
  }
  return r;
}

Outcome get_jwks(const SeedDeps& deps, Call&) { return json_ok(deps.auth.jwks()); }

}  // namespace latchkey::api::seed
