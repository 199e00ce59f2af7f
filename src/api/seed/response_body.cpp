#include "api/seed/response_body.hpp"

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "core/time_format.hpp"

namespace latchkey::api::seed {
namespace {

using core::append_json_string;
using nlohmann::json;

void append_user(std::string& out, const store::UserRecord& u) {
  out += "{\"id\":";
  append_json_string(out, u.id.str());
  out += ",\"email\":";
  append_json_string(out, u.email);
  out += ",\"full_name\":";
  if (auto name = full_name(u)) {
    append_json_string(out, *name);
  } else {
    out += "null";
  }
  out += ",\"created_at\":";
  append_json_string(out, core::format_rfc3339(u.created_at));
  out.push_back('}');
}

void append_item(std::string& out, const store::ItemRecord& item) {
  out += "{\"id\":";
  append_json_string(out, item.id.str());
  out += ",\"title\":";
  append_json_string(out, item.title);
  out += ",\"content\":";
  append_json_string(out, item.content);
  out += ",\"metadata\":";
  out += item.metadata_json ? std::string_view(*item.metadata_json) : std::string_view("null");
  out += ",\"user_id\":";
  append_json_string(out, item.user_id.str());
  out += ",\"created_at\":";
  append_json_string(out, core::format_rfc3339(item.created_at));
  out += ",\"updated_at\":";
  append_json_string(out, core::format_rfc3339(item.updated_at));
  out.push_back('}');
}

}  // namespace

std::optional<std::string> full_name(const store::UserRecord& user) {
  if (user.user_metadata == "{}") return std::nullopt;  // the common case, without a parse
  const json meta = json::parse(user.user_metadata, nullptr, /*allow_exceptions=*/false);
  if (!meta.is_object()) return std::nullopt;
  const auto it = meta.find("full_name");
  if (it == meta.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string full_name_metadata(const std::optional<std::string>& full_name) {
  if (!full_name) return "{}";
  return json{{"full_name", *full_name}}.dump();
}

std::string user_json(const store::UserRecord& user) {
  std::string out;
  out.reserve(160);
  append_user(out, user);
  return out;
}

std::string item_json(const store::ItemRecord& item) {
  std::string out;
  out.reserve(256 + item.title.size() + item.content.size());
  append_item(out, item);
  return out;
}

std::string items_json(const std::vector<store::ItemRecord>& items) {
  std::string out;
  out.reserve(256 * items.size() + 2);
  out.push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    append_item(out, items[i]);
  }
  out.push_back(']');
  return out;
}

std::string sessions_json(const std::vector<store::SessionRecord>& sessions, SessionId current) {
  json out = json::array();
  for (const auto& s : sessions) {
    out.push_back({{"id", s.id.str()},
                   {"current", s.id == current},
                   {"sign_in_method", s.sign_in_method},
                   {"ip", s.client.ip},
                   {"user_agent", s.client.user_agent},
                   {"created_at", core::format_rfc3339(s.created_at)},
                   {"last_used_at", core::format_rfc3339(s.refreshed_at.value_or(s.created_at))},
                   {"expires_at", core::format_rfc3339(s.expires_at)}});
  }
  // Replacement, not an exception, should a stored user agent ever be invalid UTF-8.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string auth_json(const auth::AuthResult& r) {
  std::string out;
  out.reserve(768);
  out += "{\"access_token\":";
  append_json_string(out, r.tokens.access_token);
  out += ",\"token_type\":\"bearer\",\"expires_in\":";
  out += std::to_string(r.tokens.expires_in);
  out += ",\"expires_at\":";
  out += std::to_string(r.tokens.expires_at);
  out += ",\"refresh_token\":";
  append_json_string(out, r.tokens.refresh_token);
  out += ",\"user\":";
  append_user(out, r.user);
  out.push_back('}');
  return out;
}

std::string message_json(std::string_view message) {
  std::string out = "{\"message\":";
  append_json_string(out, message);
  out.push_back('}');
  return out;
}

http::Response json_ok(std::string body) {
  http::Response r;
  r.body = std::move(body);
  return r;
}

}  // namespace latchkey::api::seed
