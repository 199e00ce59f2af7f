// SessionStore on PostgreSQL: sessions and single-use refresh tokens (stored as hashes
// only), as the login role.
#include <array>

#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

Error unauthenticated(std::string detail) {
  return Error::of(Errc::unauthenticated, std::move(detail));
}

const Statement kBegin{"lk_begin", "BEGIN"};
const Statement kCommit{"lk_commit", "COMMIT"};
const Statement kRollback{"lk_rollback", "ROLLBACK"};

const Statement kInsertSession{
    "lk_insert_session",
    "INSERT INTO auth.sessions (id, user_id, created_at, expires_at, revoked_at) VALUES ($1, $2, " +
        ts_param("$3") + ", " + ts_param("$4") + ", " + ts_param("$5") + ")"};
const Statement kInsertToken{
    "lk_insert_token",
    "INSERT INTO auth.refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, " +
        ts_param("$3") + ")"};
const Statement kStampSignIn{
    "lk_stamp_sign_in", "UPDATE auth.users SET last_sign_in_at = " + ts_param("$2") + " WHERE id = $1"};
const Statement kRevokeUserSessions{
    "lk_revoke_user_sessions", "UPDATE auth.sessions SET revoked_at = " + ts_param("$2") +
                                   " WHERE user_id = $1 AND revoked_at IS NULL"
                                   " AND id IS DISTINCT FROM $3::uuid"};
const Statement kCheckSession{
    "lk_check_session",
    "SELECT 1 FROM auth.sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"
    " AND expires_at > " +
        ts_param("$3")};
// coalesce keeps the first revocation time, so revoking twice still finds the row.
const Statement kRevokeSession{"lk_revoke_session",
                               "UPDATE auth.sessions SET revoked_at = coalesce(revoked_at, " +
                                   ts_param("$3") + ") WHERE id = $1 AND user_id = $2"};
// FOR UPDATE OF t: two rotations of one token serialize on its row; the second one then
// re-reads it (READ COMMITTED re-check), sees used_at set and is treated as a replay.
const Statement kLockToken{
    "lk_lock_token", "SELECT s.id, s.user_id, " + micros_col("s.created_at") + ", " +
                         micros_col("s.expires_at") + ", " + micros_col("s.revoked_at") +
                         ", t.used_at IS NOT NULL"
                         " FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id"
                         " WHERE t.token_hash = $1 FOR UPDATE OF t"};
const Statement kRevokeById{"lk_revoke_by_id",
                            "UPDATE auth.sessions SET revoked_at = " + ts_param("$2") +
                                " WHERE id = $1 AND revoked_at IS NULL"};
// Marks the old token used and issues the new one in one statement.
const Statement kSpendToken{
    "lk_spend_token",
    "WITH spent AS (UPDATE auth.refresh_tokens SET used_at = " + ts_param("$3") +
        " WHERE token_hash = $1)"
        " INSERT INTO auth.refresh_tokens (token_hash, session_id, created_at) VALUES ($2, $4, " +
        ts_param("$3") + ")"};

std::optional<std::string> opt_micros(const std::optional<core::Micros>& t) {
  if (!t) return std::nullopt;
  return std::to_string(*t);
}

class PgSessions final : public SessionStore {
 public:
  explicit PgSessions(PgDatabase& db) : db_(db) {}

  Result<SessionRecord> open_session(const SessionRecord& session,
                                     std::string_view refresh_hash) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    // One implicit transaction (up to the pipeline's Sync), one round trip: all or nothing.
    const std::array<Step, 3> steps{
        Step{&kInsertSession,
             Params{session.id.str(), session.user_id.str(), std::to_string(session.created_at),
                    std::to_string(session.expires_at), opt_micros(session.revoked_at)}},
        Step{&kInsertToken, Params{std::string(refresh_hash), session.id.str(),
                                   std::to_string(session.created_at)}},
        Step{&kStampSignIn, Params{session.user_id.str(), std::to_string(session.created_at)}}};
    if (auto r = (*lease)->pipeline(steps); !r) return fail(std::move(r).error());
    return session;
  }

  Result<void> check_session(UserId owner, SessionId id, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kCheckSession, Params{id.str(), owner.str(), std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    // One answer for absent, someone else's, revoked and expired: the caller needs no more.
    if (PQntuples(r->get()) == 0) return fail(Error::of(Errc::unauthenticated, "session not live"));
    return {};
  }

  Result<void> revoke_session(UserId owner, SessionId id, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kRevokeSession, Params{id.str(), owner.str(), std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    if (affected_rows(r->get()) == 0) return fail(Error::of(Errc::not_found, "session not found"));
    return {};
  }

  Result<int64_t> revoke_user_sessions(UserId owner, std::optional<SessionId> keep,
                                       core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    std::optional<std::string> kept;
    if (keep) kept = keep->str();
    auto r = (*lease)->run(kRevokeUserSessions, Params{owner.str(), std::to_string(now), kept});
    if (!r) return fail(std::move(r).error());
    return affected_rows(r->get());
  }

  Result<SessionRecord> rotate_refresh_token(std::string_view old_hash, std::string_view new_hash,
                                             core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    // Two round trips: BEGIN + lock the token row, then the writes + COMMIT. On any early
    // return the transaction is still open and the pool closes the connection (which rolls
    // it back) instead of reusing it; the explicit ROLLBACKs below keep the common refusals
    // from costing a reconnect.
    const std::array<Step, 2> lock{Step{&kBegin, {}},
                                   Step{&kLockToken, Params{std::string(old_hash)}}};
    auto locked = c.pipeline(lock);
    if (!locked) return fail(std::move(locked).error());
    const PGresult* row = (*locked)[1].get();
    auto refuse = [&](std::string detail) -> Result<SessionRecord> {
      (void)c.run(kRollback);
      return fail(unauthenticated(std::move(detail)));
    };
    if (PQntuples(row) == 0) return refuse("refresh_token_unknown");
    auto sid = uuid_col(row, 0, 0);
    auto uid = uuid_col(row, 0, 1);
    if (!sid || !uid) return fail(corrupt_row("sessions.id/user_id"));
    std::optional<core::Micros> revoked_at;
    if (!PQgetisnull(row, 0, 4)) revoked_at = int64(row, 0, 4);
    const SessionRecord session{SessionId{*sid}, UserId{*uid}, int64(row, 0, 2), int64(row, 0, 3),
                                revoked_at};
    const bool already_used = text(row, 0, 5) == "t";
    if (session.revoked_at) return refuse("session_revoked");
    if (session.expires_at <= now) return refuse("session_expired");

    if (already_used) {
      // Replay of a spent token: someone holds a copy, so the whole session dies. This is
      // committed even though the call fails, otherwise the revocation would be rolled back.
      const std::array<Step, 2> revoke{
          Step{&kRevokeById, Params{session.id.str(), std::to_string(now)}}, Step{&kCommit, {}}};
      if (auto r = c.pipeline(revoke); !r) return fail(std::move(r).error());
      return fail(unauthenticated(std::string(kRefreshTokenReused)));
    }
    const std::array<Step, 2> spend{
        Step{&kSpendToken, Params{std::string(old_hash), std::string(new_hash), std::to_string(now),
                                  session.id.str()}},
        Step{&kCommit, {}}};
    if (auto r = c.pipeline(spend); !r) return fail(std::move(r).error());
    return session;
  }

 private:
  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_sessions(PgDatabase& db) {
  return std::make_unique<PgSessions>(db);
}

}  // namespace latchkey::store::postgres
