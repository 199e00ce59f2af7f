#pragma once
// How /auth/v1 answers failures: Supabase Auth's 2024-01-01 error model
// (shared/reference/supabase-wire.md section 6).
#include "api/core/route.hpp"

namespace latchkey::api::supabase_auth {

// The status GoTrue gives this error.
int gotrue_status(const Error& e);
ErrorRenderer gotrue_errors();

}  // namespace latchkey::api::supabase_auth
