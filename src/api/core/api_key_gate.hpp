#pragma once
// Supabase's API gateway check, for the surfaces that speak its protocol: every request
// carries a project API key (`apikey` header, or `?apikey=`), except on a few open routes.
// Only the key's validity is checked here; what the request may do is decided by its bearer
// token, as GoTrue and PostgREST do behind Supabase's gateway.
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "api/core/route.hpp"
#include "auth/auth_service.hpp"

namespace latchkey::api {

using Gate = std::function<std::optional<Error>(const http::Request&, const Route&)>;

// no_api_key or invalid_api_key (401) unless the request carries one of our API keys; routes
// whose pattern is in `open_patterns` pass without one.
Gate api_key_gate(const auth::AuthService& auth, std::set<std::string> open_patterns = {});

}  // namespace latchkey::api
