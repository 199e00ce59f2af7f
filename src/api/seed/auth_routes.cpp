// /auth/*: registration, login, logout, refresh, and the current user.
#include "api/core/auth_steps.hpp"
#include "api/core/request_body.hpp"
#include "api/seed/handlers.hpp"
#include "api/seed/response_body.hpp"

namespace latchkey::api::seed {
namespace {

constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;  // bounds hashing work per request
constexpr size_t kMaxFullName = 255;
// Ours are 43 characters; the bound only keeps hashing cheap, and is above the longest access
// token so that one sent by mistake is refused as unknown (401), not as malformed.
constexpr size_t kMaxRefreshToken = 16 * 1024;

Outcome auth_response(Result<auth::AuthResult> result) {
  if (!result) return std::move(result).error();
  return json_ok(auth_json(*result));
}

struct Credentials {
  std::string email;
  std::string password;
  std::optional<std::string> full_name;
};

// {"email", "password"}, and "full_name" when `with_name`.
Result<Credentials> read_credentials(const Call& call, bool with_name) {
  auto body = parse_json_body(call.req.body);
  if (!body) return fail(std::move(body).error());
  FieldReader fields(*body);
  auto email = fields.required_email("email");
  auto password = fields.required_string("password", kMinPassword, kMaxPassword);
  std::optional<std::string> full_name;
  if (with_name) full_name = fields.optional_string("full_name", 0, kMaxFullName);
  if (!fields.ok()) return fail(fields.error());
  return Credentials{std::move(*email), std::move(*password), std::move(full_name)};
}

}  // namespace

Outcome post_register(const SeedDeps& deps, Call& call) {
  auto creds = read_credentials(call, true);
  if (!creds) return std::move(creds).error();
  if (!deps.mail.autoconfirm()) {
    // No tokens until the address is confirmed; the same answer for an address already
    // registered, so the route tells nobody who has an account.
    return hash_steps(
        deps.auth, std::move(creds->password),
        [&deps, email = std::move(creds->email), meta = full_name_metadata(creds->full_name)](
            Call&, std::string hash) mutable -> Outcome {
          auto signed_up = deps.mail.sign_up(email, std::move(hash), std::move(meta), "");
          if (!signed_up) return std::move(signed_up).error();
          http::Response r = json_ok(message_json("Check your email to confirm your address"));
          r.status = 202;
          return r;
        });
  }
  return sign_up_steps(deps.auth, std::move(creds->email), std::move(creds->password),
                       full_name_metadata(creds->full_name), auth_response);
}

Outcome post_login(const SeedDeps& deps, Call& call) {
  auto creds = read_credentials(call, false);
  if (!creds) return std::move(creds).error();
  return sign_in_steps(deps.auth, std::move(creds->email), std::move(creds->password),
                       auth_response);
}

Outcome post_refresh(const SeedDeps& deps, Call& call) {
  auto body = parse_json_body(call.req.body);
  if (!body) return std::move(body).error();
  FieldReader fields(*body);
  auto token = fields.required_string("refresh_token", 1, kMaxRefreshToken);
  if (!fields.ok()) return fields.error();
  return on(Pool::store, [&deps, token = std::move(*token)](Call& c) -> Outcome {
    if (auto admitted = deps.auth.admit_client(c.req.remote_ip); !admitted)
      return admitted.error();
    return auth_response(deps.auth.refresh(token, c.client()));
  });
}

Outcome post_logout(const SeedDeps& deps, Call& call) {
  auto done = deps.auth.logout(*call.principal);
  if (!done) return std::move(done).error();
  return json_ok(message_json("Successfully logged out"));
}

Outcome get_me(const SeedDeps& deps, Call& call) {
  auto user = deps.auth.me(*call.principal);
  if (!user) return std::move(user).error();
  return json_ok(user_json(*user));
}

}  // namespace latchkey::api::seed
