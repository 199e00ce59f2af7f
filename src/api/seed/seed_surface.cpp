#include "api/seed/seed_surface.hpp"

#include "api/seed/errors.hpp"
#include "api/seed/handlers.hpp"

namespace latchkey::api::seed {

RouteTable::SurfaceId add_seed_surface(RouteTable& table, const SeedDeps& deps) {
  CorsPolicy cors{deps.cors_origins, "GET, POST, PUT, DELETE, OPTIONS",
                  // Only the headers the API reads.
                  "Authorization, Content-Type, X-Request-Id", 600};
  const auto surface = table.add_surface(Surface{"seed", "/", tutorial_errors(), std::move(cors)});
  using M = http::Method;
  struct Row {
    M method;
    const char* pattern;
    Access access;
    Outcome (*handler)(const SeedDeps&, Call&);
    std::optional<Pool> runs_on;
  };
  const Row rows[] = {
      {M::get, "/", Access::anonymous, get_root, std::nullopt},
      {M::get, "/health", Access::anonymous, get_health, Pool::store},
      {M::get, "/.well-known/jwks.json", Access::anonymous, get_jwks, std::nullopt},
      {M::post, "/auth/register", Access::anonymous, post_register, std::nullopt},
      {M::post, "/auth/login", Access::anonymous, post_login, std::nullopt},
      {M::post, "/auth/logout", Access::user, post_logout, std::nullopt},
      {M::get, "/auth/me", Access::user, get_me, std::nullopt},
      {M::post, "/auth/refresh", Access::anonymous, post_refresh, std::nullopt},
      {M::post, "/auth/verify", Access::anonymous, post_verify, Pool::store},
      {M::post, "/auth/resend-confirmation", Access::anonymous, post_resend_confirmation,
       Pool::store},
      {M::post, "/auth/recover", Access::anonymous, post_recover, Pool::store},
      {M::post, "/auth/magic-link", Access::anonymous, post_magic_link, Pool::store},
      {M::post, "/auth/reset-password", Access::anonymous, post_reset_password, Pool::store},
      {M::put, "/auth/email", Access::user, put_email, std::nullopt},
      {M::put, "/auth/password", Access::user, put_password, std::nullopt},
      {M::get, "/auth/sessions", Access::user, list_sessions, std::nullopt},
      {M::del, "/auth/sessions/{id}", Access::user, delete_session, std::nullopt},
      {M::post, "/auth/logout-all", Access::user, post_logout_all, std::nullopt},
      {M::post, "/data", Access::user, post_item, std::nullopt},
      {M::get, "/data", Access::user, list_items, std::nullopt},
      {M::get, "/data/{id}", Access::user, get_item, std::nullopt},
      {M::put, "/data/{id}", Access::user, put_item, std::nullopt},
      {M::del, "/data/{id}", Access::user, delete_item, std::nullopt},
  };
  for (const Row& r : rows) {
    table.add(surface, Route{r.method, r.pattern, r.access,
                             [&deps, h = r.handler](Call& call) { return h(deps, call); },
                             r.runs_on});
  }
  return surface;
}

}  // namespace latchkey::api::seed
