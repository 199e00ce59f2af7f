#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/uuid.hpp"

namespace latchkey::store {

// The app_metadata of a user who signs in with email and password (as Supabase Auth writes it).
inline constexpr std::string_view kEmailAppMetadata = R"({"provider":"email","providers":["email"]})";

struct UserRecord {
  UserId id;
  std::string email;  // lower-cased
  std::string password_hash;  // PHC string; never leaves the server
  core::Micros created_at = 0;
  core::Micros updated_at = 0;
  // JSON object texts, as the backend returns them (key order and spacing may differ by
  // backend). user_metadata is the user's own (the tutorial's full_name lives there);
  // app_metadata only admins change.
  std::string user_metadata = "{}";
  std::string app_metadata = std::string(kEmailAppMetadata);
  std::optional<std::string> phone;
  std::optional<core::Micros> email_confirmed_at;
  std::optional<core::Micros> last_sign_in_at;  // the last session opened
  std::optional<core::Micros> banned_until;
};

struct NewUser {
  NewUser(UserId id, std::string email, std::string user_metadata, std::string password_hash)
      : id(id),
        email(std::move(email)),
        user_metadata(std::move(user_metadata)),
        password_hash(std::move(password_hash)) {}

  UserId id;
  std::string email;          // already validated and lower-cased
  std::string user_metadata;  // a JSON object text
  std::string password_hash;
  std::string app_metadata = std::string(kEmailAppMetadata);
  std::optional<std::string> phone;
  std::optional<core::Micros> email_confirmed_at;
  std::optional<core::Micros> banned_until;
};

// Fields left empty are not changed; for the nullable ones, a present nullopt clears.
struct UserPatch {
  std::optional<std::string> email;  // already validated and lower-cased
  std::optional<std::string> password_hash;
  std::optional<std::string> user_metadata;  // the whole new object text
  std::optional<std::string> app_metadata;
  std::optional<std::optional<std::string>> phone;
  std::optional<std::optional<core::Micros>> email_confirmed_at;
  std::optional<std::optional<core::Micros>> banned_until;
};

struct UserPage {
  std::vector<UserRecord> users;
  int64_t total = 0;  // every user, not just this page
};

// The device behind a session's requests, as they showed it: for the user's session list.
struct SessionClient {
  std::string ip;
  std::string user_agent;
};

struct SessionRecord {
  SessionId id;
  UserId user_id;
  core::Micros created_at = 0;
  core::Micros expires_at = 0;  // refresh tokens of this session die with it
  std::optional<core::Micros> revoked_at;
  std::string sign_in_method = "password";  // how it was opened: its tokens' amr method
  SessionClient client = {};                // of the request that opened or last refreshed it
  std::optional<core::Micros> refreshed_at = std::nullopt;  // its last refresh, if any
};

struct ItemRecord {
  ItemId id;
  UserId user_id;
  std::string title;
  std::string content;
  std::optional<std::string> metadata_json;  // serialized JSON as stored, or none
  core::Micros created_at = 0;
  core::Micros updated_at = 0;
};

struct NewItem {
  ItemId id;
  std::string title;
  std::string content;
  std::optional<std::string> metadata_json;
};

// Fields left empty are not changed. Stores keep the metadata text they are given; what
// "no metadata" is (the JSON literal null) is data::ItemService's business.
struct ItemPatch {
  std::optional<std::string> title;
  std::optional<std::string> content;
  std::optional<std::string> metadata_json;
  bool clear_metadata = false;  // the metadata becomes none; metadata_json is then ignored
  bool empty() const { return !title && !content && !metadata_json && !clear_metadata; }
};

}  // namespace latchkey::store
