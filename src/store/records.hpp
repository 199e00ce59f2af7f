#pragma once
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/uuid.hpp"

namespace latchkey::store {

struct UserRecord {
  UserId id;
  std::string email;  // lower-cased
  std::optional<std::string> full_name;
  std::string password_hash;  // PHC string; never leaves the server
  core::Micros created_at = 0;
};

struct NewUser {
  UserId id;
  std::string email;  // already validated and lower-cased
  std::optional<std::string> full_name;
  std::string password_hash;
};

struct SessionRecord {
  SessionId id;
  UserId user_id;
  core::Micros created_at = 0;
  core::Micros expires_at = 0;  // refresh tokens of this session die with it
  std::optional<core::Micros> revoked_at;
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
