// The signed-in user: GET and PUT /auth/v1/user.
#include "api/supabase_auth/gotrue_json.hpp"
#include "api/supabase_auth/handlers.hpp"
#include "core/ascii.hpp"
#include "core/time_format.hpp"

namespace latchkey::api::supabase_auth {
namespace {

using nlohmann::json;

struct UserChange {
  auth::SelfUpdate update;
  std::optional<std::string> email;     // mailed for confirmation, applied once confirmed
  std::optional<std::string> password;  // hashed in a later step
};

Result<UserChange> read_change(const json& body) {
  UserChange change;
  // Only admins change app_metadata (it carries what the server decided, e.g. roles).
  if (body.contains("app_metadata") && !body["app_metadata"].is_null()) {
    return fail(Error::make(ErrorCode::not_admin, "User not allowed", "app_metadata by user"));
  }
  if (body.contains("phone") && !body["phone"].is_null()) {
    return fail(Error::make(ErrorCode::validation_failed,
                            "Phone logins are not enabled on this server", "phone"));
  }
  auto data = object_field(body, "data");
  if (!data) return fail(std::move(data).error());
  change.update.data = std::move(*data);
  auto email = string_field(body, "email", 254);
  if (!email) return fail(std::move(email).error());
  if (*email) {
    auto checked = check_email(core::ascii_lower(**email));
    if (!checked) return fail(std::move(checked).error());
    change.email = std::move(*checked);
  }
  auto password = string_field(body, "password", 4096);
  if (!password) return fail(std::move(password).error());
  if (*password) {
    if (auto ok = check_password(**password); !ok) return fail(ok.error());
    change.password = std::move(**password);
  }
  return change;
}

// A new email is not applied: a confirmation goes to it, and the account keeps its address
// until the mail is verified (GoTrue's new_email shows it pending).
Outcome apply(const AuthV1Deps& deps, const Call& call, const UserChange& change) {
  const auth::Principal& who = *call.principal;
  auto updated = deps.accounts.update_self(who, change.update);
  if (!updated) return std::move(updated).error();
  json user = user_object(*updated);
  if (change.email && *change.email != updated->email) {
    auto sent = deps.mail.request_email_change(who, *change.email, redirect_param(call));
    if (!sent) return std::move(sent).error();
    user["new_email"] = *change.email;
    user["email_change_sent_at"] = core::format_rfc3339(*sent);
  }
  return json_response(200, user);
}

}  // namespace

Outcome get_user(const AuthV1Deps& deps, Call& call) {
  auto user = deps.auth.me(*call.principal);
  if (!user) return std::move(user).error();
  return json_response(200, user_object(*user));
}

// Runs on the store pool (after the session check). A new password is checked against the
// old one and hashed on the hashing pool, then written back on the store pool.
Outcome put_user(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  auto change = read_change(*body);
  if (!change) return std::move(change).error();
  if (!change->password) return apply(deps, call, *change);
  auto current = deps.auth.me(*call.principal);
  if (!current) return std::move(current).error();
  return on(Pool::hashing, [&deps, change = std::move(*change),
                            current = std::move(*current)](Call&) mutable -> Outcome {
    auto hash = deps.accounts.new_password_hash(current, *change.password);
    if (!hash) return std::move(hash).error();
    change.update.password_hash = std::move(*hash);
    return on(Pool::store,
              [&deps, change = std::move(change)](Call& c) { return apply(deps, c, change); });
  });
}

}  // namespace latchkey::api::supabase_auth
