// The mail flows of /auth/v1: recover, otp (magic link), resend, and verify by code, by link
// token (POST) or from the mail's link (GET, a redirect). Every one runs on the store pool; the
// answers to recover, otp and resend are the same for every address.
#include "api/core/request_body.hpp"
#include "api/supabase_auth/gotrue_json.hpp"
#include "api/supabase_auth/handlers.hpp"
#include "core/ascii.hpp"

namespace latchkey::api::supabase_auth {
namespace {

using nlohmann::json;
using store::TokenPurpose;

constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxRedirectBytes = 2048;
constexpr size_t kMaxTokenBytes = 512;

Error validation(std::string message) {
  return Error::make(ErrorCode::validation_failed, std::move(message), "validation");
}

Result<std::string> required_email(const json& body) {
  auto email = string_field(body, "email", kMaxEmailBytes);
  if (!email) return fail(std::move(email).error());
  if (!*email) return fail(validation("An email address is required"));
  return check_email(core::ascii_lower(**email));
}

// GoTrue's verification types. `email` is the code of an otp mail: a magic link, or a
// confirmation for an address that signed up through otp.
std::optional<std::vector<TokenPurpose>> purposes_of(std::string_view type) {
  if (type == "email") return std::vector{TokenPurpose::magic_link, TokenPurpose::signup};
  if (auto purpose = store::purpose_from_name(type)) return std::vector{*purpose};
  return std::nullopt;
}

Outcome empty_ok() { return json_response(200, json::object()); }

// The per-client-address budget of the credential routes (LATCHKEY_AUTH_RATE_LIMIT): these
// send mail or test a 6-digit code, so they draw on it like sign-in does.
Result<void> admit(const AuthV1Deps& deps, const Call& call) {
  return deps.auth.admit_client(call.req.remote_ip);
}

// Where GET /verify sends the browser, with `fragment` (GoTrue puts the result after `#`,
// which the browser keeps away from servers and logs).
http::Response see_other(const std::string& to, const std::string& fragment) {
  http::Response r;
  r.status = 303;
  r.content_type.clear();
  r.headers.push_back({"Location", to + "#" + fragment});
  // (Every answer is Cache-Control: no-store already; the Location carries tokens.)
  r.headers.push_back({"Referrer-Policy", "no-referrer"});
  return r;
}

std::string fragment_error(std::string_view code, std::string_view description) {
  return "error=access_denied&error_code=" + std::string(code) +
         "&error_description=" + core::url_encode(description);
}

}  // namespace

std::string redirect_param(const Call& call) {
  auto r = query_param(call.req.query, "redirect_to").value_or("");
  return r.size() <= kMaxRedirectBytes ? r : std::string();
}

Outcome post_recover(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  auto email = required_email(*body);
  if (!email) return std::move(email).error();
  if (auto r = deps.mail.recover(*email, redirect_param(call)); !r) return std::move(r).error();
  return empty_ok();
}

Outcome post_otp(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  auto email = required_email(*body);
  if (!email) return std::move(email).error();
  bool create_user = true;  // GoTrue's default
  if (auto it = body->find("create_user"); it != body->end() && !it->is_null()) {
    if (!it->is_boolean()) return validation("create_user must be a boolean");
    create_user = it->get<bool>();
  }
  auto data = object_field(*body, "data");
  if (!data) return std::move(data).error();
  const std::string metadata = data->value_or(json::object()).dump();
  if (auto ok = auth::check_metadata_size(metadata, "data"); !ok) return ok.error();
  if (auto r = deps.mail.send_sign_in(*email, create_user, metadata,
                                      deps.accounts.unusable_password_hash(), redirect_param(call));
      !r)
    return std::move(r).error();
  return empty_ok();
}

Outcome post_resend(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  auto type = string_field(*body, "type", 32);
  if (!type) return std::move(type).error();
  if (*type != std::optional<std::string>("signup")) {
    return validation("resend supports type signup");
  }
  auto email = required_email(*body);
  if (!email) return std::move(email).error();
  if (auto r = deps.mail.resend_confirmation(*email, redirect_param(call)); !r)
    return std::move(r).error();
  return empty_ok();
}

Outcome post_verify(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  auto type = string_field(*body, "type", 32);
  if (!type) return std::move(type).error();
  const auto purposes = purposes_of(type->value_or(""));
  if (!purposes) return validation("Verify requires a verification type");
  auto token_hash = string_field(*body, "token_hash", kMaxTokenBytes);
  if (!token_hash) return std::move(token_hash).error();
  auto code = string_field(*body, "token", 16);
  if (!code) return std::move(code).error();
  Result<auth::Verified> verified = fail(Error::make(ErrorCode::otp_expired, {}, "no purpose"));
  for (TokenPurpose p : *purposes) {
    if (*token_hash) {
      verified = deps.mail.verify_link(p, **token_hash, call.client());
    } else {
      if (!*code) return validation("Verify requires either a token or a token hash");
      auto email = required_email(*body);
      if (!email) return std::move(email).error();
      verified = deps.mail.verify_code(p, *email, **code, call.client());
    }
    if (verified || verified.error().public_code != ErrorCode::otp_expired) break;
  }
  if (!verified) return std::move(verified).error();
  return json_response(200, session_object(verified->session));
}

// The link in a mail: /auth/v1/verify?token=…&type=…&redirect_to=…. Answers 303 to the
// redirect the mail was issued for, with the session (or the error) in the fragment.
Outcome get_verify(const AuthV1Deps& deps, Call& call) {
  const std::string fallback = deps.mail.allowed_redirect(redirect_param(call));
  const auto token = query_param(call.req.query, "token").value_or("");
  const auto type = query_param(call.req.query, "type").value_or("");
  const auto purposes = purposes_of(type);
  if (auto admitted = admit(deps, call); !admitted) {
    return see_other(fallback,
                     fragment_error("over_request_rate_limit", "Request rate limit reached"));
  }
  if (token.empty() || token.size() > kMaxTokenBytes || !purposes) {
    return see_other(fallback,
                     fragment_error("validation_failed", "Verify requires a token and a type"));
  }
  Result<auth::Verified> verified = fail(Error::make(ErrorCode::otp_expired, {}, "no purpose"));
  for (TokenPurpose p : *purposes) {
    verified = deps.mail.verify_link(p, token, call.client());
    if (verified || verified.error().public_code != ErrorCode::otp_expired) break;
  }
  if (!verified) {
    const Error& e = verified.error();
    if (e.public_code == ErrorCode::otp_expired)
      return see_other(fallback,
                       fragment_error("otp_expired", "Email link is invalid or has expired"));
    if (e.public_code == ErrorCode::user_banned)
      return see_other(fallback, fragment_error("user_banned", "User is banned"));
    return std::move(verified).error();  // a store failure: the usual error body
  }
  const auth::TokenPair& t = verified->session.tokens;
  const std::string to = verified->redirect_to.empty() ? fallback : verified->redirect_to;
  return see_other(
      to, "access_token=" + core::url_encode(t.access_token) + "&expires_at=" +
              std::to_string(t.expires_at) + "&expires_in=" + std::to_string(t.expires_in) +
              "&refresh_token=" + core::url_encode(t.refresh_token) +
              "&token_type=bearer&type=" + std::string(store::purpose_name(verified->purpose)));
}

}  // namespace latchkey::api::supabase_auth
