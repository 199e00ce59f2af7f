#pragma once
// PostgREST at /rest/v1, serving the one table user_data to the unmodified supabase-js client
// (shared/reference/supabase-wire.md sections 8 to 11). What a request may see and change is
// the role of its bearer token: anon nothing, a user its own rows, service_role every row.
#include <string>
#include <vector>

#include "api/core/route_table.hpp"
#include "auth/auth_service.hpp"
#include "data/row_service.hpp"

namespace latchkey::api::rest {

struct RestV1Deps {
  auth::AuthService& auth;  // the apikey gate
  data::RowService& rows;
  std::vector<std::string> cors_origins = {};  // empty or "*": any origin
};

// Adds the surface and its routes; `deps` must outlive the table.
RouteTable::SurfaceId add_rest_v1_surface(RouteTable& table, const RestV1Deps& deps);

}  // namespace latchkey::api::rest
