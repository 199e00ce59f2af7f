#pragma once
// The /auth/v1 handlers (session_routes.cpp, user_routes.cpp, mail_routes.cpp,
// admin_routes.cpp).
#include <nlohmann/json.hpp>

#include "api/core/route.hpp"
#include "api/supabase_auth/auth_v1_surface.hpp"

namespace latchkey::api::supabase_auth {

Outcome post_signup(const AuthV1Deps& deps, Call& call);
Outcome post_token(const AuthV1Deps& deps, Call& call);
Outcome post_logout(const AuthV1Deps& deps, Call& call);
Outcome get_user(const AuthV1Deps& deps, Call& call);
Outcome put_user(const AuthV1Deps& deps, Call& call);
Outcome get_settings(const AuthV1Deps& deps, Call& call);
Outcome get_health(const AuthV1Deps& deps, Call& call);
Outcome get_jwks(const AuthV1Deps& deps, Call& call);

Outcome post_recover(const AuthV1Deps& deps, Call& call);
Outcome post_otp(const AuthV1Deps& deps, Call& call);
Outcome post_resend(const AuthV1Deps& deps, Call& call);
Outcome post_verify(const AuthV1Deps& deps, Call& call);
Outcome get_verify(const AuthV1Deps& deps, Call& call);

Outcome list_users(const AuthV1Deps& deps, Call& call);
Outcome create_user(const AuthV1Deps& deps, Call& call);
Outcome get_admin_user(const AuthV1Deps& deps, Call& call);
Outcome update_user(const AuthV1Deps& deps, Call& call);
Outcome delete_user(const AuthV1Deps& deps, Call& call);

// Shared by the handlers.
// The redirect_to query parameter (supabase-js sends it there, as GoTrue reads it); empty if
// absent or too long.
std::string redirect_param(const Call& call);
http::Response json_response(int status, const nlohmann::json& body);
// The body as a JSON object; bad_json otherwise. An empty body is {}.
Result<nlohmann::json> json_object_body(const Call& call);
// A string field: nullopt if absent or null; bad_json if another type; validation_failed if it
// holds U+0000 or is longer than `max_bytes`.
Result<std::optional<std::string>> string_field(const nlohmann::json& body, const char* name,
                                                size_t max_bytes);
// An object field (user_metadata, data): nullopt if absent or null; bad_json if not an object.
Result<std::optional<nlohmann::json>> object_field(const nlohmann::json& body, const char* name);
// The password rule of the tutorial contract (8 to 1024 characters): weak_password if short.
Result<void> check_password(const std::string& password);
// A valid email address; email_address_invalid otherwise.
Result<std::string> check_email(const std::string& email);

}  // namespace latchkey::api::supabase_auth
