#pragma once
// The tutorial server's REST API (../shared/spec/seed-api.md): /, /health, /auth/*, /data*.
#include <functional>
#include <string>
#include <vector>

#include "api/core/route_table.hpp"
#include "auth/account_mail.hpp"
#include "auth/auth_service.hpp"
#include "auth/user_accounts.hpp"
#include "data/item_service.hpp"

namespace latchkey::api::seed {

struct SeedDeps {
  auth::AuthService& auth;
  data::ItemService& items;
  auth::UserAccounts& accounts;                // password changes
  auth::AccountMail& mail;                     // confirmation, recovery, email change, magic link
  std::function<Result<void>()> health_check;  // blocking
  std::string service_name = "latchkey";
  std::vector<std::string> cors_origins = {};  // empty or "*": any origin
};

// Adds the surface and its routes; `deps` must outlive the table.
RouteTable::SurfaceId add_seed_surface(RouteTable& table, const SeedDeps& deps);

}  // namespace latchkey::api::seed
