#pragma once
#include <string_view>

#include "core/error.hpp"
#include "store/records.hpp"

namespace latchkey::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  // created_at and updated_at become `now`. conflict if the email is already taken (emails
  // are stored lower-cased). user_metadata and app_metadata must be JSON objects.
  virtual Result<UserRecord> create_user(const NewUser& user, core::Micros now) = 0;
  // not_found if no user has this (lower-cased) email.
  virtual Result<UserRecord> find_user_by_email(std::string_view email) = 0;
  // not_found if absent.
  virtual Result<UserRecord> find_user(UserId id) = 0;
  // Replaces the stored hash (re-hashing after a parameter change). not_found if absent.
  virtual Result<void> set_password_hash(UserId id, std::string_view phc_hash) = 0;
  // Applies `patch` and sets updated_at = now; returns the user as stored. not_found if
  // absent; conflict if the new email is taken.
  virtual Result<UserRecord> update_user(UserId id, const UserPatch& patch, core::Micros now) = 0;
  // Removes the user with their sessions, refresh tokens and items. not_found if absent.
  virtual Result<void> delete_user(UserId id) = 0;
  // Newest first (created_at, then id, descending), with the total, from one snapshot.
  virtual Result<UserPage> list_users(int64_t limit, int64_t offset) = 0;
};

}  // namespace latchkey::store
