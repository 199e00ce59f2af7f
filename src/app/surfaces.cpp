#include "app/surfaces.hpp"

#include "api/docs/docs_surface.hpp"

namespace latchkey::app {

void add_surfaces(api::RouteTable& table, const api::seed::SeedDeps& seed) {
  const auto tutorial = api::seed::add_seed_surface(table, seed);
  // The docs describe the tutorial API: its error body and CORS policy.
  api::docs::add_docs_surface(table, table.surface(tutorial).errors, table.surface(tutorial).cors);
}

}  // namespace latchkey::app
