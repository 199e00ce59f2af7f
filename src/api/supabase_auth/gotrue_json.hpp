#pragma once
// Supabase Auth's (GoTrue's) objects as JSON (shared/reference/supabase-wire.md section 5).
#include <nlohmann/json.hpp>

#include "auth/auth_service.hpp"
#include "store/records.hpp"

namespace latchkey::api::supabase_auth {

// The user object: id, aud, role, email, phone, confirmation and sign-in times, metadata,
// identities (one email identity), created/updated, is_anonymous, banned_until.
nlohmann::json user_object(const store::UserRecord& user);
// The session object: tokens, expiry and the user.
nlohmann::json session_object(const auth::AuthResult& result);

}  // namespace latchkey::api::supabase_auth
