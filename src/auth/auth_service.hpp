#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "core/rate_limit.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "store/attempt_store.hpp"
#include "store/session_store.hpp"
#include "store/user_store.hpp"

namespace latchkey::auth {

// The database role a bearer token acts as (Supabase's roles).
enum class Role {
  anon,           // the anon API key, or no token where a surface allows that
  authenticated,  // a user's access token
  service_role,   // the service_role API key: the admin API, every row
};

// Who a verified bearer token speaks for. user_id, session_id and email are set for
// Role::authenticated only.
struct Principal {
  UserId user_id;
  SessionId session_id;
  std::string email;
  Role role = Role::authenticated;
  bool is_user() const { return role == Role::authenticated; }
};

// How a session was opened, for the token's amr claim.
enum class SignInMethod {
  password,
  otp,       // a code or link from a mail (confirmation, magic link, email change)
  recovery,  // a recovery mail
};
// "password", "otp", "recovery": the amr method, as sessions store it.
std::string_view method_name(SignInMethod method);

// The most sessions a user's session list shows (the most recently used).
inline constexpr int kMaxListedSessions = 100;

// A request's client as a session records it. The user agent is whatever the client sent, so
// it is cut to 256 bytes of printable ASCII: every backend stores it as text, and a list shown
// to the user must not carry control characters.
store::SessionClient describe_client(std::string_view ip, std::string_view user_agent);

// Which sessions a logout ends (Supabase's scopes).
enum class LogoutScope {
  local,   // the token's own session
  global,  // every session of the user
  others,  // every session but the token's own
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
  // How long after a refresh a replay of the spent token is answered with the session's live
  // token instead of revoking the session (RefreshRotation::reuse_interval); 0: never.
  int64_t refresh_reuse_interval_s = 0;
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
  // conflict ("User already registered") if the email is taken. `user_metadata` is a JSON
  // object text (sign-up data; the tutorial's full_name).
  Result<AuthResult> register_hashed(std::string_view email, std::string phc_hash,
                                     std::string user_metadata, const store::SessionClient& client);
  // The user whose password this is. unauthenticated ("Invalid credentials") for an unknown
  // email or a wrong password, after the same amount of hashing work in both cases.
  // rate_limited (with retry_after_s) while the email is backing off after repeated
  // failures, known or not. After a correct password: email_not_confirmed for an
  // unconfirmed email, user_banned for a banned account.
  Result<store::UserRecord> check_credentials(std::string_view email, std::string_view password);
  // Opens a session for a user who has just proved who they are.
  Result<AuthResult> open_session(store::UserRecord user, SignInMethod method,
                                  const store::SessionClient& client);
  // Rotates the refresh token; see SessionStore::rotate_refresh_token for reuse detection.
  // The new access token keeps the session's sign-in method. user_banned for a banned account.
  Result<AuthResult> refresh(std::string_view refresh_token, const store::SessionClient& client);
  Result<void> logout(const Principal& who, LogoutScope scope = LogoutScope::local);
  // The caller's live sessions, the most recently used first (at most kMaxListedSessions).
  Result<std::vector<store::SessionRecord>> list_sessions(const Principal& who);
  // Revokes one of the caller's sessions (their own current one too). not_found when it is
  // not theirs, whether it exists or not.
  Result<void> revoke_session(const Principal& who, SessionId session);
  Result<store::UserRecord> me(const Principal& who);

  // CPU only (no store access): signature, algorithm, exp/nbf/iat, iss, aud. A user's access
  // token only; API keys are refused.
  Result<Principal> verify_access_token(std::string_view token) const;
  // A user's access token, or an API key (anon, service_role; supabase_admin counts as
  // service_role). CPU only.
  Result<Principal> verify_bearer(std::string_view token) const;
  // The role of an API key (the `apikey` gateway check). invalid_api_key otherwise.
  Result<Role> verify_api_key(std::string_view token) const;
  // The public keys that verify access tokens, as JWK set JSON text: {"keys": []} while only
  // HS256 keys exist, whose secrets are never published.
  std::string jwks() const { return jwt_.jwks(); }
  // A new API key for `role` (anon or service_role), valid for `ttl_s` seconds.
  std::string mint_api_key(Role role, int64_t ttl_s) const;
  // The session behind a verified token is still open (store access).
  Result<void> check_session(const Principal& who);

 private:
  TokenPair issue_tokens(const store::UserRecord& user, const store::SessionRecord& session,
                         std::string refresh_token) const;
  bool banned(const store::UserRecord& user) const;

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
