#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/records.hpp"

namespace latchkey::store {

// The detail of rotate_refresh_token's error when a used token is replayed.
inline constexpr std::string_view kRefreshTokenReused = "refresh_token_reused";

// One refresh: the spent token and its successor, both as hashes.
struct RefreshRotation {
  std::string_view old_hash;
  std::string_view new_hash;
  // The successor sealed under the spent token (crypto::seal), kept with the spent
  // token; empty when replays are never forgiven (reuse_interval 0), and then nothing is kept.
  std::string_view new_sealed = {};
  // A replay of `old_hash` at most this long after it was spent, while its successor is still
  // the session's live token, is forgiven: two tabs refreshing at once both stay signed in.
  core::Micros reuse_interval = 0;
};

struct RotatedSession {
  SessionRecord session;
  // Set on a forgiven replay: the live token, sealed under the replayed one. Nothing was
  // rotated, and the session's last use is unchanged.
  std::optional<std::string> live_sealed;
};

// Sessions and their refresh tokens. Refresh tokens are only ever seen here as hashes.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Creates the session and its first refresh token in one transaction, and records the
  // sign-in on the user (last_sign_in_at = the session's created_at).
  virtual Result<SessionRecord> open_session(const SessionRecord& session,
                                             std::string_view refresh_hash) = 0;
  // unauthenticated unless the session exists, belongs to `owner`, is not revoked and
  // has not expired at `now`.
  virtual Result<void> check_session(UserId owner, SessionId id, core::Micros now) = 0;
  // The sessions of `owner` that are neither revoked nor expired at `now`, the most recently
  // used (refreshed, else opened) first, at most `limit` of them.
  virtual Result<std::vector<SessionRecord>> list_sessions(UserId owner, core::Micros now,
                                                           int limit) = 0;
  // Marks the session revoked (idempotent); its refresh tokens die with it.
  // not_found if the session does not belong to `owner`.
  virtual Result<void> revoke_session(UserId owner, SessionId id, core::Micros now) = 0;
  // Revokes every open session of `owner` but `keep` (if given), as of `now`; their refresh
  // tokens die with them. Returns how many were revoked.
  virtual Result<int64_t> revoke_user_sessions(UserId owner, std::optional<SessionId> keep,
                                               core::Micros now) = 0;
  // Single-use rotation, atomically: `old_hash` is marked used and `new_hash` becomes the
  // session's live refresh token. unauthenticated if the token is unknown or its session
  // is revoked or expired. If `old_hash` was already used (a replay: either the client or
  // an attacker holds a stolen copy), the whole session is revoked and unauthenticated is
  // returned with detail kRefreshTokenReused, unless the replay is forgiven (RefreshRotation::
  // reuse_interval); then nothing is written and the result carries the live token's seal.
  // A rotation records `client` and `now` as the session's last use (refreshed_at); the
  // returned record shows them.
  virtual Result<RotatedSession> rotate_refresh_token(const RefreshRotation& rotation,
                                                      core::Micros now,
                                                      const SessionClient& client) = 0;
};

}  // namespace latchkey::store
