// Sign-up, sign-in, refresh, sign-out, and the open informational routes.
#include "api/core/auth_steps.hpp"
#include "api/core/request_body.hpp"
#include "core/ascii.hpp"
#include "api/supabase_auth/gotrue_json.hpp"
#include "api/supabase_auth/handlers.hpp"

namespace latchkey::api::supabase_auth {
namespace {

using nlohmann::json;

constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxPasswordBytes = 4096;  // 1024 characters of up to 4 bytes
// Ours are 43 characters; the bound only keeps hashing cheap, and is above the longest access
// token so that one sent by mistake is refused as unknown (401), not as malformed.
constexpr size_t kMaxRefreshToken = 16 * 1024;

Outcome session_response(Result<auth::AuthResult> result) {
  if (!result) return std::move(result).error();
  return json_response(200, session_object(*result));
}

Error validation(std::string message) {
  return Error::make(ErrorCode::validation_failed, std::move(message), "validation");
}

struct Credentials {
  std::string email;
  std::string password;
};

// {"email", "password"}; phone sign-in is not offered.
Result<Credentials> read_credentials(const json& body, bool signup) {
  auto email = string_field(body, "email", kMaxEmailBytes);
  if (!email) return fail(std::move(email).error());
  auto password = string_field(body, "password", kMaxPasswordBytes);
  if (!password) return fail(std::move(password).error());
  if (!*email) {
    if (body.contains("phone") && !body["phone"].is_null())
      return fail(validation("Phone logins are not enabled on this server"));
    if (signup) return fail(validation("Anonymous sign-ins are disabled"));
    return fail(validation("missing email or phone"));
  }
  if (!*password) {
    return fail(validation(signup ? "Signup requires a valid password"
                                  : "missing password"));
  }
  auto checked = check_email(core::ascii_lower(**email));
  if (!checked) return fail(std::move(checked).error());
  return Credentials{std::move(*checked), std::move(**password)};
}

Outcome password_grant(const AuthV1Deps& deps, const json& body) {
  auto creds = read_credentials(body, false);
  if (!creds) return std::move(creds).error();
  return sign_in_steps(deps.auth, std::move(creds->email), std::move(creds->password),
                       session_response);
}

Outcome refresh_grant(const AuthV1Deps& deps, const json& body) {
  auto token = string_field(body, "refresh_token", kMaxRefreshToken);
  if (!token) return std::move(token).error();
  if (!*token || (*token)->empty()) return validation("Refresh token is not valid");
  return on(Pool::store, [&deps, token = std::move(**token)](Call& c) -> Outcome {
    if (auto admitted = deps.auth.admit_client(c.req.remote_ip); !admitted)
      return admitted.error();
    return session_response(deps.auth.refresh(token, c.client()));
  });
}

}  // namespace

Outcome post_signup(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  auto creds = read_credentials(*body, true);
  if (!creds) return std::move(creds).error();
  if (auto ok = check_password(creds->password); !ok) return ok.error();
  auto data = object_field(*body, "data");
  if (!data) return std::move(data).error();
  std::string metadata = data->value_or(json::object()).dump();
  if (auto ok = auth::check_metadata_size(metadata, "user_metadata"); !ok) return ok.error();
  if (!deps.mail.autoconfirm()) {
    // No session until the mail is verified: GoTrue then answers with the user alone.
    return hash_steps(
        deps.auth, std::move(creds->password),
        [&deps, email = std::move(creds->email), meta = std::move(metadata),
         redirect = redirect_param(call)](Call&, std::string hash) mutable -> Outcome {
          auto signed_up = deps.mail.sign_up(email, std::move(hash), std::move(meta), redirect);
          if (!signed_up) return std::move(signed_up).error();
          json user = user_object(signed_up->user);
          if (signed_up->existed) user["identities"] = json::array();
          return json_response(200, user);
        });
  }
  return sign_up_steps(deps.auth, std::move(creds->email), std::move(creds->password),
                       std::move(metadata), session_response);
}

Outcome post_token(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  // Read from the query string only, as GoTrue does.
  const auto grant = query_param(call.req.query, "grant_type").value_or("");
  if (grant == "password") return password_grant(deps, *body);
  if (grant == "refresh_token") return refresh_grant(deps, *body);
  return validation("unsupported_grant_type");
}

Outcome post_logout(const AuthV1Deps& deps, Call& call) {
  const auto scope = query_param(call.req.query, "scope").value_or("global");
  auth::LogoutScope s;
  if (scope == "global") {
    s = auth::LogoutScope::global;
  } else if (scope == "local") {
    s = auth::LogoutScope::local;
  } else if (scope == "others") {
    s = auth::LogoutScope::others;
  } else {
    return validation("Unsupported logout scope \"" + scope + "\"");
  }
  if (auto done = deps.auth.logout(*call.principal, s); !done) return done.error();
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Outcome get_settings(const AuthV1Deps& deps, Call&) {
  return json_response(200, {{"external",
                              {{"email", true},
                               {"phone", false},
                               {"anonymous_users", false},
                               {"apple", false},
                               {"github", false},
                               {"google", false}}},
                             {"disable_signup", false},
                             {"mailer_autoconfirm", deps.mail.autoconfirm()},
                             {"phone_autoconfirm", false},
                             {"sms_provider", ""},
                             {"saml_enabled", false},
                             {"saml_private_key_next_configured", false},
                             {"passkeys_enabled", false}});
}

Outcome get_health(const AuthV1Deps& deps, Call&) {
  return json_response(200, {{"version", deps.version},
                             {"name", "latchkey"},
                             {"description", "latchkey serves Supabase Auth's API"}});
}

// The public keys only: an HS256 secret is never published.
Outcome get_jwks(const AuthV1Deps& deps, Call&) {
  return json_response(200, json::parse(deps.auth.jwks()));
}

}  // namespace latchkey::api::supabase_auth
