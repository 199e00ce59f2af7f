#pragma once
// JSON encodings of what the API returns. Written by hand (not through a DOM) because they
// are on every hot path; stored metadata is already serialized JSON and is copied as is.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.hpp"
#include "http/message.hpp"
#include "store/records.hpp"

namespace latchkey::api::seed {

// The tutorial's full_name is user_metadata.full_name (where Supabase keeps sign-up data).
std::optional<std::string> full_name(const store::UserRecord& user);
// The user_metadata a tutorial registration stores: {"full_name": ...} or {}.
std::string full_name_metadata(const std::optional<std::string>& full_name);

std::string user_json(const store::UserRecord& user);
std::string item_json(const store::ItemRecord& item);
std::string items_json(const std::vector<store::ItemRecord>& items);
std::string auth_json(const auth::AuthResult& result);
// The caller's sessions; `current` is the one the request's token belongs to.
std::string sessions_json(const std::vector<store::SessionRecord>& sessions, SessionId current);
// {"message": <message>}
std::string message_json(std::string_view message);
// 200 with a JSON body.
http::Response json_ok(std::string body);

}  // namespace latchkey::api::seed
