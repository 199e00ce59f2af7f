// /auth/*: registration, login, logout, refresh, and the current user.
#include "api/errors.hpp"
#include "api/request_body.hpp"
#include "api/response_body.hpp"
#include "api/routes.hpp"

namespace latchkey::api {
namespace {

constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;  // bounds hashing work per request
constexpr size_t kMaxFullName = 255;
constexpr size_t kMaxRefreshToken = 512;

http::Response auth_response(Result<auth::AuthResult> result) {
  if (!result) return error_response(result.error());
  return json_ok(auth_json(*result));
}

struct Credentials {
  std::string email;
  std::string password;
  std::optional<std::string> full_name;
};

// Parses {"email", "password"} (and "full_name" when `with_name`); replies 422 itself on failure.
std::optional<Credentials> read_credentials(Call& call, bool with_name) {
  auto body = parse_json_body(call.req.body);
  if (!body) {
    reply_error(call, body.error());
    return std::nullopt;
  }
  FieldReader fields(*body);
  auto email = fields.required_email("email");
  auto password = fields.required_string("password", kMinPassword, kMaxPassword);
  std::optional<std::string> full_name;
  if (with_name) full_name = fields.optional_string("full_name", 0, kMaxFullName);
  if (!fields.ok()) {
    reply_error(call, fields.error());
    return std::nullopt;
  }
  return Credentials{std::move(*email), std::move(*password), std::move(full_name)};
}

}  // namespace

void post_register(Api& api, Call&& call) {
  auto creds = read_credentials(call, true);
  if (!creds) return;
  api.on_hash_pool(std::move(call), [&api, creds = std::move(*creds)](Call& c) mutable {
    if (auto admitted = api.auth().admit_client(c.req.remote_ip); !admitted) {
      return error_response(admitted.error());
    }
    auto hash = api.auth().hash_password(creds.password);
    api.hand_off_to_store_pool(
        c, [&api, creds = std::move(creds), hash = std::move(hash)](Call&) mutable {
          return auth_response(
              api.auth().register_hashed(creds.email, std::move(hash), std::move(creds.full_name)));
        });
    return http::Response{};
  });
}

void post_login(Api& api, Call&& call) {
  auto creds = read_credentials(call, false);
  if (!creds) return;
  api.on_hash_pool(std::move(call), [&api, creds = std::move(*creds)](Call& c) {
    if (auto admitted = api.auth().admit_client(c.req.remote_ip); !admitted) {
      return error_response(admitted.error());
    }
    auto user = api.auth().check_credentials(creds.email, creds.password);
    if (!user) return error_response(user.error());
    api.hand_off_to_store_pool(c, [&api, user = std::move(*user)](Call&) {
      return auth_response(api.auth().open_session(user));
    });
    return http::Response{};
  });
}

void post_refresh(Api& api, Call&& call) {
  auto body = parse_json_body(call.req.body);
  if (!body) return reply_error(call, body.error());
  FieldReader fields(*body);
  auto token = fields.required_string("refresh_token", 1, kMaxRefreshToken);
  if (!fields.ok()) return reply_error(call, fields.error());
  api.on_store_pool(std::move(call), [&api, token = std::move(*token)](Call& c) {
    if (auto admitted = api.auth().admit_client(c.req.remote_ip); !admitted) {
      return error_response(admitted.error());
    }
    return auth_response(api.auth().refresh(token));
  });
}

void post_logout(Api& api, Call&& call) {
  api.on_store_pool(std::move(call), [&api](Call& c) {
    auto done = api.auth().logout(*c.principal);
    if (!done) return error_response(done.error());
    return json_ok(message_json("Successfully logged out"));
  });
}

void get_me(Api& api, Call&& call) {
  api.on_store_pool(std::move(call), [&api](Call& c) {
    auto user = api.auth().me(*c.principal);
    if (!user) return error_response(user.error());
    return json_ok(user_json(*user));
  });
}

}  // namespace latchkey::api
