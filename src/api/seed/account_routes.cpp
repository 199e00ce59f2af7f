// The tutorial surface's account lifecycle: confirming an address, recovery, magic links,
// email and password changes, and signing out everywhere. The mails and their rules are
// auth::AccountMail's, shared with /auth/v1; these routes give them the tutorial's shapes
// (AuthResponse, {message}, its error body).
#include "api/core/request_body.hpp"
#include "api/seed/handlers.hpp"
#include "api/seed/response_body.hpp"

namespace latchkey::api::seed {
namespace {

using store::TokenPurpose;

constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;
constexpr size_t kMaxToken = 512;

// What the routes that take any address answer, whether it has an account or not.
Outcome accepted(std::string_view message) {
  http::Response r = json_ok(message_json(message));
  r.status = 202;
  return r;
}

Result<nlohmann::json> body_of(const Call& call) { return parse_json_body(call.req.body); }

// A 422 naming one body field, as FieldReader reports them.
Error field_error(const char* name, std::string msg, std::string type) {
  return Error::validation(
      {FieldError{{std::string("body"), std::string(name)}, std::move(msg), std::move(type)}},
      "Validation error");
}

// The per-client-address budget of the credential routes (LATCHKEY_AUTH_RATE_LIMIT): these
// send mail or test a 6-digit code, so they draw on it like login does.
Result<void> admit(const SeedDeps& deps, const Call& call) {
  return deps.auth.admit_client(call.req.remote_ip);
}

// Reads {"email"} and runs `send` on it.
template <class Send>
Outcome email_route(const SeedDeps& deps, const Call& call, std::string_view message, Send&& send) {
  auto body = body_of(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  FieldReader fields(*body);
  auto email = fields.required_email("email");
  if (!fields.ok()) return fields.error();
  if (auto sent = send(*email); !sent) return std::move(sent).error();
  return accepted(message);
}

}  // namespace

Outcome post_verify(const SeedDeps& deps, Call& call) {
  auto body = body_of(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  FieldReader fields(*body);
  auto type = fields.required_string("type", 1, 32);
  auto email = fields.optional_string("email", 3, 254);
  auto code = fields.optional_string("code", 1, 16);
  auto token = fields.optional_string("token", 1, kMaxToken);
  if (!fields.ok()) return fields.error();
  // The type names are the store's purpose names (signup, recovery, magiclink, email_change).
  const auto purpose = store::purpose_from_name(*type);
  if (!purpose) {
    return field_error(
        "type", "Input should be 'signup', 'recovery', 'magiclink' or 'email_change'", "enum");
  }
  Result<auth::Verified> verified = fail(Error::make(ErrorCode::otp_expired, {}, "none"));
  if (token) {
    verified = deps.mail.verify_link(*purpose, *token, call.client());
  } else if (code && email) {
    verified = deps.mail.verify_code(*purpose, *email, *code, call.client());
  } else {
    return field_error("code", "Give either token, or email and code", "missing");
  }
  if (!verified) return std::move(verified).error();
  return json_ok(auth_json(verified->session));
}

Outcome post_resend_confirmation(const SeedDeps& deps, Call& call) {
  return email_route(
      deps, call, "If the address waits for confirmation, a new mail is on its way",
      [&](const std::string& email) { return deps.mail.resend_confirmation(email, ""); });
}

Outcome post_recover(const SeedDeps& deps, Call& call) {
  return email_route(deps, call, "If the address has an account, a recovery mail is on its way",
                     [&](const std::string& email) { return deps.mail.recover(email, ""); });
}

Outcome post_magic_link(const SeedDeps& deps, Call& call) {
  // Signs in existing accounts only: the tutorial's accounts are made by /auth/register.
  return email_route(
      deps, call, "If the address has an account, a sign-in mail is on its way",
      [&](const std::string& email) { return deps.mail.send_sign_in(email, false, "{}", "", ""); });
}

// The recovery code and the new password in one call: the code opens a recovery session, the
// password is set on it, and every other session of the user ends.
Outcome post_reset_password(const SeedDeps& deps, Call& call) {
  auto body = body_of(call);
  if (!body) return std::move(body).error();
  if (auto admitted = admit(deps, call); !admitted) return std::move(admitted).error();
  FieldReader fields(*body);
  auto email = fields.required_email("email");
  auto code = fields.required_string("code", 1, 16);
  auto password = fields.required_string("new_password", kMinPassword, kMaxPassword);
  if (!fields.ok()) return fields.error();
  auto verified = deps.mail.verify_code(TokenPurpose::recovery, *email, *code, call.client());
  if (!verified) return std::move(verified).error();
  auto who = deps.auth.verify_access_token(verified->session.tokens.access_token);
  if (!who) return std::move(who).error();
  return on(Pool::hashing,
            [&deps, password = std::move(*password), who = std::move(*who),
             session = std::move(verified->session)](Call&) mutable -> Outcome {
              auto hash = deps.accounts.new_password_hash(session.user, password);
              if (!hash) return std::move(hash).error();
              return on(Pool::store,
                        [&deps, who = std::move(who), session = std::move(session),
                         hash = std::move(*hash)](Call&) mutable -> Outcome {
                          auth::SelfUpdate change;
                          change.password_hash = std::move(hash);
                          auto updated = deps.accounts.update_self(who, change);
                          if (!updated) return std::move(updated).error();
                          session.user = std::move(*updated);
                          return json_ok(auth_json(session));
                        });
            });
}

Outcome put_email(const SeedDeps& deps, Call& call) {
  auto body = body_of(call);
  if (!body) return std::move(body).error();
  FieldReader fields(*body);
  auto email = fields.required_email("email");
  if (!fields.ok()) return fields.error();
  if (*email == call.principal->email) return json_ok(message_json("That is your address already"));
  auto sent = deps.mail.request_email_change(*call.principal, *email, "");
  if (!sent) return std::move(sent).error();
  return accepted("A confirmation is on its way to the new address");
}

// Requires the current password, so a stolen access token alone cannot take the account.
Outcome put_password(const SeedDeps& deps, Call& call) {
  auto body = body_of(call);
  if (!body) return std::move(body).error();
  FieldReader fields(*body);
  auto current = fields.required_string("current_password", 1, kMaxPassword);
  auto next = fields.required_string("new_password", kMinPassword, kMaxPassword);
  if (!fields.ok()) return fields.error();
  return on(
      Pool::hashing,
      [&deps, current = std::move(*current), next = std::move(*next)](Call& c) mutable -> Outcome {
        // The address now, not the token's: it may have changed since the token was issued.
        auto me = deps.auth.me(*c.principal);
        if (!me) return std::move(me).error();
        auto user = deps.auth.check_credentials(me->email, current);
        if (!user) return std::move(user).error();
        auto hash = deps.accounts.new_password_hash(*user, next);
        if (!hash) return std::move(hash).error();
        return on(Pool::store, [&deps, hash = std::move(*hash)](Call& c2) mutable -> Outcome {
          auth::SelfUpdate change;
          change.password_hash = std::move(hash);
          auto updated = deps.accounts.update_self(*c2.principal, change);
          if (!updated) return std::move(updated).error();
          return json_ok(message_json("Password changed; your other sessions are signed out"));
        });
      });
}

Outcome list_sessions(const SeedDeps& deps, Call& call) {
  auto sessions = deps.auth.list_sessions(*call.principal);
  if (!sessions) return std::move(sessions).error();
  return json_ok(sessions_json(*sessions, call.principal->session_id));
}

Outcome delete_session(const SeedDeps& deps, Call& call) {
  auto id = core::Uuid::parse(call.param);
  if (!id) return Error::make(ErrorCode::not_found, "Session not found", "malformed id");
  auto done = deps.auth.revoke_session(*call.principal, SessionId{*id});
  if (!done) return std::move(done).error();
  return json_ok(message_json("Session revoked"));
}

Outcome post_logout_all(const SeedDeps& deps, Call& call) {
  auto done = deps.auth.logout(*call.principal, auth::LogoutScope::global);
  if (!done) return std::move(done).error();
  return json_ok(message_json("Signed out everywhere"));
}

}  // namespace latchkey::api::seed
