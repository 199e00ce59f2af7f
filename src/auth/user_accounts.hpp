#pragma once
// Changing accounts after sign-up: a user's own profile and password, and the admin API's
// user management. Blocking (store access, or hashing where said): call from a worker pool.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "auth/auth_service.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/password_hasher.hpp"
#include "store/session_store.hpp"
#include "store/user_store.hpp"

namespace latchkey::auth {

// What a signed-in user asks to change about themselves. Validated by the caller.
struct SelfUpdate {
  // Merged into user_metadata key by key; a key whose value is null is removed.
  std::optional<nlohmann::json> data;
  std::optional<std::string> password_hash;  // from new_password_hash
  // (A new email goes through AccountMail::request_email_change: it must be confirmed.)
};

// What an admin sets on a user (create or update). Validated by the caller.
struct AdminUserInput {
  std::optional<UserId> id;  // create only
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> password_hash;
  std::optional<bool> email_confirm;
  std::optional<nlohmann::json> user_metadata;  // merged as SelfUpdate::data
  std::optional<nlohmann::json> app_metadata;   // merged likewise
  // Seconds from now; 0 lifts a ban ("none").
  std::optional<int64_t> ban_seconds;
};

class UserAccounts {
 public:
  UserAccounts(store::UserStore& users, store::SessionStore& sessions,
               const crypto::PasswordHasher& hasher, const core::Clock& clock,
               core::RandomSource& random)
      : users_(users), sessions_(sessions), hasher_(hasher), clock_(clock), random_(random) {}

  // The hash of `password` for `current` (CPU: run on the hashing pool). same_password if it
  // is the user's password already.
  Result<std::string> new_password_hash(const store::UserRecord& current,
                                        std::string_view password) const;
  // The hash of a random password, for users created without one: nobody can sign in with it.
  std::string unusable_password_hash() const;

  // user_not_found if the user is gone. A password change ends every other session of the
  // user (the caller's stays).
  Result<store::UserRecord> update_self(const Principal& who, const SelfUpdate& change);

  Result<store::UserPage> list(int64_t page, int64_t per_page);
  // user_not_found (404) if absent.
  Result<store::UserRecord> get(UserId id);
  // email_exists if the email is taken. Requires email and password_hash.
  Result<store::UserRecord> create(const AdminUserInput& input);
  // A ban ends every session of the user at once, so their tokens stop working.
  Result<store::UserRecord> update(UserId id, const AdminUserInput& input);
  Result<void> remove(UserId id);

 private:
  store::UserStore& users_;
  store::SessionStore& sessions_;
  const crypto::PasswordHasher& hasher_;
  const core::Clock& clock_;
  core::RandomSource& random_;
};

// Metadata travels in every access token, and a token must fit in a request header (and
// within JwtPolicy::max_token_bytes): these bound it, serialized.
inline constexpr size_t kMaxUserMetadataBytes = 4096;
inline constexpr size_t kMaxAppMetadataBytes = 2048;
// validation_failed if `text` (user_metadata or app_metadata, per `field`) is over its bound.
Result<void> check_metadata_size(const std::string& text, std::string_view field);

// `base` (a JSON object text) with `patch`'s keys set, and those whose value is null removed.
std::string merge_metadata(const std::string& base, const nlohmann::json& patch);

}  // namespace latchkey::auth
