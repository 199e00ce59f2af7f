#pragma once
// The /rest/v1 handlers (row_routes.cpp).
#include "api/core/route.hpp"
#include "api/rest/rest_v1_surface.hpp"

namespace latchkey::api::rest {

Outcome read_rows(const RestV1Deps& deps, Call& call);    // GET and HEAD
Outcome insert_rows(const RestV1Deps& deps, Call& call);  // POST: insert or upsert
Outcome update_rows(const RestV1Deps& deps, Call& call);  // PATCH
Outcome delete_rows(const RestV1Deps& deps, Call& call);  // DELETE
Outcome unknown_table(Call& call);

}  // namespace latchkey::api::rest
