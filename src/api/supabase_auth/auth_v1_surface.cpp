#include "api/supabase_auth/auth_v1_surface.hpp"

#include "api/core/api_key_gate.hpp"
#include "api/core/cors.hpp"
#include "api/core/request_body.hpp"
#include "api/supabase_auth/errors.hpp"
#include "api/supabase_auth/handlers.hpp"
#include "core/utf8.hpp"

namespace latchkey::api::supabase_auth {

using nlohmann::json;

RouteTable::SurfaceId add_auth_v1_surface(RouteTable& table, const AuthV1Deps& deps) {
  Surface surface{"supabase-auth", "/auth/v1", gotrue_errors(), supabase_cors(deps.cors_origins)};
  // The routes Supabase's gateway lets through without an API key: the verification link is
  // opened by a mail client, which has none.
  surface.gate = api_key_gate(deps.auth, {"/auth/v1/.well-known/jwks.json", "/auth/v1/verify"});
  const auto id = table.add_surface(std::move(surface));
  using M = http::Method;
  struct Row {
    M method;
    const char* pattern;
    Access access;
    Outcome (*handler)(const AuthV1Deps&, Call&);
    std::optional<Pool> runs_on;
  };
  const Row rows[] = {
      {M::post, "/auth/v1/signup", Access::anonymous, post_signup, std::nullopt},
      {M::post, "/auth/v1/token", Access::anonymous, post_token, std::nullopt},
      {M::post, "/auth/v1/logout", Access::user, post_logout, std::nullopt},
      {M::get, "/auth/v1/user", Access::user, get_user, std::nullopt},
      {M::put, "/auth/v1/user", Access::user, put_user, std::nullopt},
      {M::post, "/auth/v1/recover", Access::anonymous, post_recover, Pool::store},
      {M::post, "/auth/v1/otp", Access::anonymous, post_otp, Pool::store},
      {M::post, "/auth/v1/magiclink", Access::anonymous, post_otp, Pool::store},
      {M::post, "/auth/v1/resend", Access::anonymous, post_resend, Pool::store},
      {M::post, "/auth/v1/verify", Access::anonymous, post_verify, Pool::store},
      {M::get, "/auth/v1/verify", Access::anonymous, get_verify, Pool::store},
      {M::get, "/auth/v1/settings", Access::anonymous, get_settings, std::nullopt},
      {M::get, "/auth/v1/health", Access::anonymous, get_health, std::nullopt},
      {M::get, "/auth/v1/.well-known/jwks.json", Access::anonymous, get_jwks, std::nullopt},
      {M::get, "/auth/v1/admin/users", Access::service_role, list_users, Pool::store},
      {M::post, "/auth/v1/admin/users", Access::service_role, create_user, std::nullopt},
      {M::get, "/auth/v1/admin/users/{id}", Access::service_role, get_admin_user, Pool::store},
      {M::put, "/auth/v1/admin/users/{id}", Access::service_role, update_user, std::nullopt},
      {M::del, "/auth/v1/admin/users/{id}", Access::service_role, delete_user, Pool::store},
  };
  for (const Row& r : rows) {
    // Not in latchkey's /openapi.json: Supabase's own API reference documents these routes,
    // and docs/supabase.md says which of them latchkey serves.
    table.add(id, Route{r.method, r.pattern, r.access,
                        [&deps, h = r.handler](Call& call) { return h(deps, call); }, r.runs_on,
                        /*documented=*/false});
  }
  return id;
}

http::Response json_response(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
  r.headers.push_back({"X-Supabase-Api-Version", "2024-01-01"});
  return r;
}

Result<json> json_object_body(const Call& call) {
  // supabase-js sends a JSON Content-Type even without a body (logout).
  if (call.req.body.empty()) return json::object();
  auto body = parse_json_body(call.req.body);
  if (!body || !body->is_object()) {
    return fail(Error::make(ErrorCode::bad_json, "Could not parse request body as JSON",
                            "body is not a JSON object"));
  }
  return body;
}

Result<std::optional<std::string>> string_field(const json& body, const char* name,
                                                size_t max_bytes) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return fail(Error::make(ErrorCode::bad_json,
                            std::string("Could not parse request body as JSON: ") + name +
                                " must be a string",
                            "wrong type"));
  }
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes || s.find('\0') != std::string::npos) {
    return fail(Error::make(ErrorCode::validation_failed, std::string("Invalid ") + name,
                            "too long or NUL"));
  }
  return std::optional<std::string>(s);
}

Result<std::optional<json>> object_field(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<json>();
  if (!it->is_object()) {
    return fail(Error::make(ErrorCode::bad_json,
                            std::string("Could not parse request body as JSON: ") + name +
                                " must be an object",
                            "wrong type"));
  }
  // No backend stores U+0000 (issue 8): refused rather than stored differently.
  if (json_has_nul(*it)) {
    return fail(Error::make(ErrorCode::validation_failed,
                            std::string(name) + " must not contain the NUL character", "NUL"));
  }
  return std::optional<json>(*it);
}

Result<void> check_password(const std::string& password) {
  const size_t chars = core::utf8_length(password).value_or(0);  // parsed JSON: valid UTF-8
  if (chars < 8) {
    return fail(Error::make(ErrorCode::weak_password, "Password should be at least 8 characters.",
                            "short password"));
  }
  // Bounds the hashing work one request can ask for.
  if (chars > 1024) {
    return fail(Error::make(ErrorCode::validation_failed,
                            "Password should be at most 1024 characters.", "long password"));
  }
  return {};
}

Result<std::string> check_email(const std::string& email) {
  if (!is_valid_email(email)) {
    return fail(Error::make(ErrorCode::email_address_invalid,
                            "Unable to validate email address: invalid format", "bad email"));
  }
  return email;
}

}  // namespace latchkey::api::supabase_auth
