#pragma once
#include "api/core/route_table.hpp"
#include "api/rest/rest_v1_surface.hpp"
#include "api/seed/seed_surface.hpp"
#include "api/supabase_auth/auth_v1_surface.hpp"

namespace latchkey::app {

// What each surface needs, built by serve.cpp.
struct SurfaceDeps {
  api::seed::SeedDeps seed;
  api::supabase_auth::AuthV1Deps auth_v1;
  api::rest::RestV1Deps rest_v1;
};

// Every API surface the server serves, registered here and nowhere else: a new surface is a
// folder under src/api/, one member of SurfaceDeps and one line in this function.
void add_surfaces(api::RouteTable& table, const SurfaceDeps& deps);

}  // namespace latchkey::app
