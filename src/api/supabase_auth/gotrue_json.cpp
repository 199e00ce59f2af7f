#include "api/supabase_auth/gotrue_json.hpp"

#include "core/time_format.hpp"

namespace latchkey::api::supabase_auth {
namespace {

using nlohmann::json;

json object_or_empty(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

void put_time(json& obj, const char* key, const std::optional<core::Micros>& t) {
  if (t) obj[key] = core::format_rfc3339(*t);
}

// latchkey has one identity per user (email and password), so the identity is derived from
// the user: its identity_id is the user's id.
json email_identity(const store::UserRecord& u) {
  const std::string id = u.id.str();
  json identity = {
      {"identity_id", id},
      {"id", id},
      {"user_id", id},
      {"identity_data",
       {{"sub", id},
        {"email", u.email},
        {"email_verified", u.email_confirmed_at.has_value()},
        {"phone_verified", false}}},
      {"provider", "email"},
      {"email", u.email},
      {"created_at", core::format_rfc3339(u.created_at)},
      {"updated_at", core::format_rfc3339(u.updated_at)},
  };
  put_time(identity, "last_sign_in_at", u.last_sign_in_at);
  return identity;
}

}  // namespace

json user_object(const store::UserRecord& u) {
  json user = {
      {"id", u.id.str()},
      {"aud", "authenticated"},
      {"role", "authenticated"},
      {"email", u.email},
      {"phone", u.phone.value_or("")},
      {"app_metadata", object_or_empty(u.app_metadata)},
      {"user_metadata", object_or_empty(u.user_metadata)},
      {"identities", json::array({email_identity(u)})},
      {"created_at", core::format_rfc3339(u.created_at)},
      {"updated_at", core::format_rfc3339(u.updated_at)},
      {"is_anonymous", false},
  };
  put_time(user, "email_confirmed_at", u.email_confirmed_at);
  put_time(user, "confirmed_at", u.email_confirmed_at);  // legacy name, same value
  put_time(user, "last_sign_in_at", u.last_sign_in_at);
  put_time(user, "banned_until", u.banned_until);
  return user;
}

json session_object(const auth::AuthResult& r) {
  return {
      {"access_token", r.tokens.access_token},
      {"token_type", "bearer"},
      {"expires_in", r.tokens.expires_in},
      {"expires_at", r.tokens.expires_at},
      {"refresh_token", r.tokens.refresh_token},
      {"user", user_object(r.user)},
  };
}

}  // namespace latchkey::api::supabase_auth
