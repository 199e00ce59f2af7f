#pragma once
// The seed surface's handlers. Each validates its input and returns a response, an error, or
// the steps that do the blocking work (see api/core/route.hpp).
#include "api/core/route.hpp"
#include "api/seed/seed_surface.hpp"

namespace latchkey::api::seed {

Outcome get_root(const SeedDeps& deps, Call& call);
Outcome get_health(const SeedDeps& deps, Call& call);
// The JWK set resource servers verify access tokens with (RFC 7517).
Outcome get_jwks(const SeedDeps& deps, Call& call);

Outcome post_register(const SeedDeps& deps, Call& call);
Outcome post_login(const SeedDeps& deps, Call& call);
Outcome post_logout(const SeedDeps& deps, Call& call);
Outcome get_me(const SeedDeps& deps, Call& call);
Outcome post_refresh(const SeedDeps& deps, Call& call);

// account_routes.cpp
Outcome post_verify(const SeedDeps& deps, Call& call);
Outcome post_resend_confirmation(const SeedDeps& deps, Call& call);
Outcome post_recover(const SeedDeps& deps, Call& call);
Outcome post_magic_link(const SeedDeps& deps, Call& call);
Outcome post_reset_password(const SeedDeps& deps, Call& call);
Outcome put_email(const SeedDeps& deps, Call& call);
Outcome put_password(const SeedDeps& deps, Call& call);
Outcome list_sessions(const SeedDeps& deps, Call& call);
Outcome delete_session(const SeedDeps& deps, Call& call);
Outcome post_logout_all(const SeedDeps& deps, Call& call);

Outcome post_item(const SeedDeps& deps, Call& call);
Outcome list_items(const SeedDeps& deps, Call& call);
Outcome get_item(const SeedDeps& deps, Call& call);
Outcome put_item(const SeedDeps& deps, Call& call);
Outcome delete_item(const SeedDeps& deps, Call& call);

}  // namespace latchkey::api::seed
