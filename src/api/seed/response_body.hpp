#pragma once
// JSON encodings of what the API returns. Written by hand (not through a DOM) because they
// are on every hot path; stored metadata is already serialized JSON and is copied as is.
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.hpp"
#include "http/message.hpp"
#include "store/records.hpp"

namespace latchkey::api::seed {

std::string user_json(const store::UserRecord& user);
std::string item_json(const store::ItemRecord& item);
std::string items_json(const std::vector<store::ItemRecord>& items);
std::string auth_json(const auth::AuthResult& result);
// {"message": <message>}
std::string message_json(std::string_view message);
// 200 with a JSON body.
http::Response json_ok(std::string body);

}  // namespace latchkey::api::seed
