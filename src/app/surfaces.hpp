#pragma once
#include "api/core/route_table.hpp"
#include "api/seed/seed_surface.hpp"

namespace latchkey::app {

// Every API surface the server serves, registered here and nowhere else: a new surface is a
// folder under src/api/ and one line in this function.
void add_surfaces(api::RouteTable& table, const api::seed::SeedDeps& seed);

}  // namespace latchkey::app
