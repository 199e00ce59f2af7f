#pragma once
// What a surface declares: routes, who may call them, and what a handler returns.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "auth/auth_service.hpp"
#include "core/error.hpp"
#include "http/message.hpp"

namespace latchkey::api {

// Who may call a route. The pipeline checks it before the handler sees the request.
enum class Access {
  anonymous,     // anyone
  user,          // a valid access token whose session is still open
  service_role,  // the service_role API key (the admin API); others get 403 not_admin
  any_role,      // any of ours: an API key, or a user's token whose session is open; no token
                 // at all is the anon role. The handler decides by Call::principal->role.
  aal2,          // reserved for MFA: a user session that passed a second factor (not
                 // accepted by RouteTable::add yet)
};

// The worker pools blocking work runs on. Hashing has its own so a login flood cannot starve
// data requests of threads.
enum class Pool { store, hashing };

// One request being served.
struct Call {
  http::Request req;
  std::optional<auth::Principal> principal;  // set for every access level but anonymous
  std::string param;                         // the {name} or {*name} part of the path, if any
  // The jobs after_reply queued: they run when the last copy is released, which the pipeline
  // leaves to the answer (http::Response::after_sent). A call dropped unanswered runs them too.
  std::shared_ptr<void> after_sent = nullptr;

  // The client a session opened or refreshed by this call records.
  store::SessionClient client() const {
    return auth::describe_client(req.remote_ip, req.header("user-agent"));
  }
};

// Queues `job` to run on the store pool once the answer of the request whose handler calls it
// has been written, so that the job's cost never shows in the answer's timing (account mail
// looks up any address after answering). Outside a handler, `job` runs at once.
void after_reply(std::function<void()> job);

struct Outcome;

// Work to run on `pool`; what it returns happens next (a reply, or another step).
struct Step {
  Pool pool;
  std::function<Outcome(Call&)> run;
};

// What a handler returns: a response, an error for the surface to render, or a step.
struct Outcome : std::variant<http::Response, Error, Step> {
  using variant::variant;
};

inline Step on(Pool pool, std::function<Outcome(Call&)> run) { return Step{pool, std::move(run)}; }

using RouteHandler = std::function<Outcome(Call&)>;

struct Route {
  http::Method method;
  // Literal segments, `{name}` for one segment, and a final `{*name}` for the rest of the
  // path (one or more segments).
  std::string pattern;
  Access access;
  RouteHandler handler;
  // Where the handler runs: on the I/O thread when unset (it must then not block). Routes
  // for users always start on the store pool, after the session check.
  std::optional<Pool> runs_on = std::nullopt;
  // Listed in the surface's OpenAPI document (static assets are not).
  bool documented = true;
};

// How a surface answers CORS.
struct CorsPolicy {
  std::vector<std::string> origins;  // empty or "*": any origin (never with credentials)
  std::string allow_methods;
  std::string allow_headers;
  int max_age_s = 600;
  std::string expose_headers = {};  // response headers a browser script may read
};

// How a surface renders failures: a domain error, or a bare HTTP status (unknown path,
// wrong method, a request the HTTP layer refused).
struct ErrorRenderer {
  std::function<http::Response(const Error&)> error;
  std::function<http::Response(int status, std::string_view message)> status;
};

// A group of routes with one error body and one CORS policy (the tutorial API, the Supabase
// Auth API, ...). Unmatched paths are answered by the surface whose prefix is longest.
struct Surface {
  std::string name;
  std::string prefix;  // "/" for the root
  ErrorRenderer errors;
  CorsPolicy cors;
  // Checked before a route's access level, when set (Supabase's API gateway: the `apikey`).
  // An error refuses the request.
  std::function<std::optional<Error>(const http::Request&, const Route&)> gate = nullptr;
};

}  // namespace latchkey::api
