#pragma once
// /openapi.json and the Swagger UI under /docs, embedded in the binary (src/web). The only
// part of the API that links the web assets, so nothing else needs npm to build.
#include "api/core/route_table.hpp"

namespace latchkey::api::docs {

// Adds the surface; it renders errors with `errors` (the documented API's body shape) and
// answers CORS like `cors`.
RouteTable::SurfaceId add_docs_surface(RouteTable& table, ErrorRenderer errors, CorsPolicy cors);

}  // namespace latchkey::api::docs
