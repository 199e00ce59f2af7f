#pragma once
#include <string_view>

#include "core/error.hpp"
#include "store/records.hpp"

namespace latchkey::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  // conflict if the email is already taken (emails are stored lower-cased).
  virtual Result<UserRecord> create_user(const NewUser& user, core::Micros now) = 0;
  // not_found if no user has this (lower-cased) email.
  virtual Result<UserRecord> find_user_by_email(std::string_view email) = 0;
  // not_found if absent.
  virtual Result<UserRecord> find_user(UserId id) = 0;
  // Replaces the stored hash (re-hashing after a parameter change). not_found if absent.
  virtual Result<void> set_password_hash(UserId id, std::string_view phc_hash) = 0;
};

}  // namespace latchkey::store
