// The admin API (service_role key): /auth/v1/admin/users.
#include "api/core/request_body.hpp"
#include "api/supabase_auth/gotrue_json.hpp"
#include "api/supabase_auth/go_duration.hpp"
#include "api/supabase_auth/handlers.hpp"
#include "core/ascii.hpp"

namespace latchkey::api::supabase_auth {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultPerPage = 50;
constexpr int64_t kMaxPerPage = 1000;

Error validation(std::string message) {
  return Error::make(ErrorCode::validation_failed, std::move(message), "validation");
}

// GoTrue sends 404 user_not_found for an id that is no user, a malformed one included.
Error no_such_user() {
  Error e = Error::make(ErrorCode::user_not_found, "User not found", "bad or unknown id");
  e.code = Errc::not_found;
  return e;
}

Result<UserId> user_id(const Call& call) {
  auto id = core::Uuid::parse(call.param);
  if (!id) return fail(no_such_user());
  return UserId{*id};
}

// ?page=&per_page=: empty means the default (supabase-js always sends both).
Result<int64_t> page_param(const Call& call, const char* key, int64_t fallback, int64_t max) {
  const auto text = query_param(call.req.query, key).value_or("");
  if (text.empty()) return fallback;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > max) return fail(validation(std::string("Bad ") + key));
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > max) return fail(validation(std::string("Bad ") + key));
  return v;
}

struct AdminInput {
  auth::AdminUserInput fields;
  std::optional<std::string> password;  // hashed in a later step
};

Result<AdminInput> read_input(const json& body, bool creating) {
  AdminInput in;
  auto email = string_field(body, "email", 254);
  if (!email) return fail(std::move(email).error());
  if (*email) {
    auto checked = check_email(core::ascii_lower(**email));
    if (!checked) return fail(std::move(checked).error());
    in.fields.email = std::move(*checked);
  }
  auto phone = string_field(body, "phone", 32);
  if (!phone) return fail(std::move(phone).error());
  in.fields.phone = std::move(*phone);
  if (creating && !in.fields.email) {
    return fail(validation(in.fields.phone ? "Phone users are not supported on this server"
                                           : "Unable to validate email address: missing email"));
  }
  auto password = string_field(body, "password", 4096);
  if (!password) return fail(std::move(password).error());
  if (*password) {
    if (auto ok = check_password(**password); !ok) return fail(ok.error());
    in.password = std::move(**password);
  }
  if (body.contains("password_hash") && !body["password_hash"].is_null())
    return fail(validation("password_hash is not supported; use latchkey import"));
  if (auto it = body.find("email_confirm"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return fail(validation("email_confirm must be a boolean"));
    in.fields.email_confirm = it->get<bool>();
  }
  auto user_meta = object_field(body, "user_metadata");
  if (!user_meta) return fail(std::move(user_meta).error());
  in.fields.user_metadata = std::move(*user_meta);
  auto app_meta = object_field(body, "app_metadata");
  if (!app_meta) return fail(std::move(app_meta).error());
  in.fields.app_metadata = std::move(*app_meta);
  auto ban = string_field(body, "ban_duration", 64);
  if (!ban) return fail(std::move(ban).error());
  if (*ban) {
    auto seconds = parse_ban_duration(**ban);
    if (!seconds) return fail(validation("invalid format for ban duration: " + **ban));
    in.fields.ban_seconds = *seconds;
  }
  if (creating) {
    auto id = string_field(body, "id", 64);
    if (!id) return fail(std::move(id).error());
    if (*id) {
      auto parsed = core::Uuid::parse(**id);
      if (!parsed) return fail(validation("id must be a UUID"));
      in.fields.id = UserId{*parsed};
    }
  }
  return in;
}

Outcome user_response(Result<store::UserRecord> user) {
  if (!user) return std::move(user).error();
  return json_response(200, user_object(*user));
}

}  // namespace

Outcome list_users(const AuthV1Deps& deps, Call& call) {
  auto page = page_param(call, "page", 1, 1'000'000);
  if (!page) return std::move(page).error();
  auto per_page = page_param(call, "per_page", kDefaultPerPage, kMaxPerPage);
  if (!per_page) return std::move(per_page).error();
  auto listed = deps.accounts.list(*page, *per_page);
  if (!listed) return std::move(listed).error();
  json users = json::array();
  for (const auto& u : listed->users) users.push_back(user_object(u));
  auto r = json_response(200, {{"users", std::move(users)}, {"aud", "authenticated"}});
  r.headers.push_back({"X-Total-Count", std::to_string(listed->total)});
  // page first: supabase-js reads the page number right after the first '='.
  const int64_t last = std::max<int64_t>(1, (listed->total + *per_page - 1) / *per_page);
  auto link = [&](int64_t p, const char* rel) {
    return "<" + call.req.path + "?page=" + std::to_string(p) +
           "&per_page=" + std::to_string(*per_page) + ">; rel=\"" + rel + "\"";
  };
  std::string links;
  if (*page < last) links = link(*page + 1, "next") + ", ";
  links += link(last, "last");
  r.headers.push_back({"Link", links});
  return r;
}

Outcome get_admin_user(const AuthV1Deps& deps, Call& call) {
  auto id = user_id(call);
  if (!id) return std::move(id).error();
  return user_response(deps.accounts.get(*id));
}

Outcome create_user(const AuthV1Deps& deps, Call& call) {
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  auto in = read_input(*body, true);
  if (!in) return std::move(in).error();
  return on(Pool::hashing, [&deps, in = std::move(*in)](Call&) mutable -> Outcome {
    in.fields.password_hash = in.password ? deps.auth.hash_password(*in.password)
                                          : deps.accounts.unusable_password_hash();
    return on(Pool::store, [&deps, fields = std::move(in.fields)](Call&) {
      return user_response(deps.accounts.create(fields));
    });
  });
}

Outcome update_user(const AuthV1Deps& deps, Call& call) {
  auto id = user_id(call);
  if (!id) return std::move(id).error();
  auto body = json_object_body(call);
  if (!body) return std::move(body).error();
  auto in = read_input(*body, false);
  if (!in) return std::move(in).error();
  auto write = [&deps, id = *id](auth::AdminUserInput fields) {
    return on(Pool::store, [&deps, id, fields = std::move(fields)](Call&) {
      return user_response(deps.accounts.update(id, fields));
    });
  };
  if (!in->password) return write(std::move(in->fields));
  return on(Pool::hashing, [&deps, write, in = std::move(*in)](Call&) mutable -> Outcome {
    in.fields.password_hash = deps.auth.hash_password(*in.password);
    return write(std::move(in.fields));
  });
}

Outcome delete_user(const AuthV1Deps& deps, Call& call) {
  auto id = user_id(call);
  if (!id) return std::move(id).error();
  if (auto done = deps.accounts.remove(*id); !done) return done.error();
  return json_response(200, json::object());
}

}  // namespace latchkey::api::supabase_auth
