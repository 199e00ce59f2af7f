#pragma once
// Supabase Auth (GoTrue) at /auth/v1, for the unmodified supabase-js client
// (shared/reference/supabase-wire.md sections 3-7): the same users and sessions as the
// tutorial's /auth routes, and one access token valid on both.
#include <string>
#include <vector>

#include "api/core/route_table.hpp"
#include "auth/account_mail.hpp"
#include "auth/auth_service.hpp"
#include "auth/user_accounts.hpp"

namespace latchkey::api::supabase_auth {

struct AuthV1Deps {
  auth::AuthService& auth;
  auth::UserAccounts& accounts;
  auth::AccountMail& mail;                     // confirmation, recovery, email change, magic link
  std::string version;                         // reported by /health
  std::vector<std::string> cors_origins = {};  // empty or "*": any origin
};

// Adds the surface and its routes; `deps` must outlive the table.
RouteTable::SurfaceId add_auth_v1_surface(RouteTable& table, const AuthV1Deps& deps);

}  // namespace latchkey::api::supabase_auth
