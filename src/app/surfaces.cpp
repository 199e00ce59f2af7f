#include "app/surfaces.hpp"

#include "api/docs/docs_surface.hpp"

namespace latchkey::app {

void add_surfaces(api::RouteTable& table, const SurfaceDeps& deps) {
  const auto tutorial = api::seed::add_seed_surface(table, deps.seed);
  api::supabase_auth::add_auth_v1_surface(table, deps.auth_v1);
  api::rest::add_rest_v1_surface(table, deps.rest_v1);
  // The docs describe the tutorial API: its error body and CORS policy.
  api::docs::add_docs_surface(table, table.surface(tutorial).errors, table.surface(tutorial).cors);
}

}  // namespace latchkey::app
