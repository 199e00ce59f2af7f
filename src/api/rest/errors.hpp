#pragma once
// PostgREST's error model for /rest/v1 (shared/reference/supabase-wire.md section 10): body
// {code, details, hint, message} with PostgREST's or PostgreSQL's code, the status PostgREST
// gives that code, Proxy-Status, and WWW-Authenticate for a token it cannot accept. Refusals
// by Supabase's gateway (no or unknown apikey) keep the gateway's {message, hint} body.
#include "api/core/route.hpp"

namespace latchkey::api::rest {

int postgrest_status(const Error& e);
http::Response postgrest_error(const Error& e);
ErrorRenderer postgrest_errors();

}  // namespace latchkey::api::rest
