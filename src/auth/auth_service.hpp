#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/error.hpp"
#include "core/rate_limit.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "store/attempt_store.hpp"
#include "store/session_store.hpp"
#include "store/user_store.hpp"

namespace latchkey::auth {

// Who a verified access token speaks for.
struct Principal {
  UserId user_id;
  SessionId session_id;
  std::string email;
};

struct TokenPair {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
  int64_t expires_at = 0;  // unix seconds
  std::string refresh_token;
};

struct AuthResult {
  store::UserRecord user;
  TokenPair tokens;
};

struct AuthOptions {
  int64_t access_ttl_s = 3600;
  int64_t refresh_ttl_s = 30 * 24 * 3600;  // session lifetime; refresh tokens die with it
  // Register/login/refresh attempts per client address.
  core::BucketRule client_attempts{60, 60};
  // Failed logins per email before backoff, and the longest backoff.
  core::BackoffRule login_backoff{5, 900};
};

// Registration, login, sessions and tokens. Methods that touch the store or hash a
// password block: call them from a worker pool. Inputs are assumed validated by the caller
// (email syntax, lengths); the service still lower-cases emails itself.
class AuthService {
 public:
  AuthService(store::UserStore& users, store::SessionStore& sessions, store::AttemptStore& attempts,
              const crypto::PasswordHasher& hasher, const crypto::JwtCodec& jwt,
              const core::Clock& clock, core::RandomSource& random, AuthOptions options);

  // rate_limited (with retry_after_s) once `client_address` has used up its attempts on the
  // credential routes (register, login, refresh); call before each of them.
  Result<void> admit_client(std::string_view client_address);

  // Registration and login each take two steps, so that the hashing pool never waits on a
  // database commit: a CPU-bound step (run it on the hashing pool), then a store step that
  // writes and opens the session (run it on the store pool).
  //
  // The Argon2id hash of a new password.
  std::string hash_password(std::string_view password) const;
  // conflict ("User already registered") if the email is taken.
  Result<AuthResult> register_hashed(std::string_view email, std::string phc_hash,
                                     std::optional<std::string> full_name);
  // The user whose password this is. unauthenticated ("Invalid credentials") for an unknown
  // email or a wrong password, after the same amount of hashing work in both cases.
  // rate_limited (with retry_after_s) while the email is backing off after repeated
  // failures, known or not.
  Result<store::UserRecord> check_credentials(std::string_view email, std::string_view password);
  // Opens a session for a user who has just proved who they are.
  Result<AuthResult> open_session(store::UserRecord user);
  // Rotates the refresh token; see SessionStore::rotate_refresh_token for reuse detection.
  Result<AuthResult> refresh(std::string_view refresh_token);
  Result<void> logout(const Principal& who);
  Result<store::UserRecord> me(const Principal& who);

  // CPU only (no store access): signature, algorithm, exp/nbf/iat, iss, aud.
  Result<Principal> verify_access_token(std::string_view token) const;
  // The session behind a verified token is still open (store access).
  Result<void> check_session(const Principal& who);

 private:
  TokenPair issue_tokens(const store::UserRecord& user, SessionId session,
                         std::string refresh_token) const;

  store::UserStore& users_;
  store::SessionStore& sessions_;
  store::AttemptStore& attempts_;
  const crypto::PasswordHasher& hasher_;
  const crypto::JwtCodec& jwt_;
  const core::Clock& clock_;
  core::RandomSource& random_;  // ids and refresh tokens
  AuthOptions options_;
  std::string dummy_hash_;  // verified against for unknown emails, to equalize timing
};

}  // namespace latchkey::auth
