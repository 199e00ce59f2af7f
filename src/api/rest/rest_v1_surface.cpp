#include "api/rest/rest_v1_surface.hpp"

#include "api/core/api_key_gate.hpp"
#include "api/core/cors.hpp"
#include "api/rest/errors.hpp"
#include "api/rest/row_routes.hpp"

namespace latchkey::api::rest {

RouteTable::SurfaceId add_rest_v1_surface(RouteTable& table, const RestV1Deps& deps) {
  Surface surface{"postgrest", "/rest/v1", postgrest_errors(), supabase_cors(deps.cors_origins)};
  surface.gate = api_key_gate(deps.auth);
  const auto id = table.add_surface(std::move(surface));
  using M = http::Method;
  struct Row {
    M method;
    Outcome (*handler)(const RestV1Deps&, Call&);
  };
  const Row rows[] = {{M::get, read_rows},      {M::head, read_rows},
                      {M::post, insert_rows},   {M::patch, update_rows},
                      {M::del, delete_rows}};
  for (const Row& r : rows) {
    // Any role: the handler scopes the rows by it. On the store pool: every handler reads or
    // writes the table. Not in /openapi.json (PostgREST's own reference documents it).
    table.add(id, Route{r.method, "/rest/v1/user_data", Access::any_role,
                        [&deps, h = r.handler](Call& call) { return h(deps, call); }, Pool::store,
                        /*documented=*/false});
  }
  // Any other table: PostgREST's 404, naming it. Open to anyone with an API key (PostgREST
  // answers before looking at the token).
  for (const Row& r : rows) {
    table.add(id, Route{r.method, "/rest/v1/{table}", Access::anonymous, unknown_table,
                        std::nullopt, /*documented=*/false});
  }
  return id;
}

}  // namespace latchkey::api::rest
