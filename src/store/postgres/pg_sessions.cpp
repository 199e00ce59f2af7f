// SessionStore on PostgreSQL: sessions and single-use refresh tokens (stored as hashes
// only), as the login role.
#include <array>

#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

Error unauthenticated(std::string detail) {
  return Error::of(Errc::unauthenticated, std::move(detail));
}

const Statement kInsertSession{
    "lk_insert_session",
    "INSERT INTO auth.sessions (id, user_id, created_at, expires_at, revoked_at, sign_in_method,"
    " ip, user_agent, refreshed_at) VALUES ($1, $2, " +
        ts_param("$3") + ", " + ts_param("$4") + ", " + ts_param("$5") + ", $6, $7, $8, " +
        ts_param("$9") + ")"};
// The session columns, in the order read_session reads them.
const std::string kSessionColumns = "s.id, s.user_id, " + micros_col("s.created_at") + ", " +
                                    micros_col("s.expires_at") + ", " + micros_col("s.revoked_at") +
                                    ", s.sign_in_method, s.ip, s.user_agent, " +
                                    micros_col("s.refreshed_at");
constexpr int kSessionColumnCount = 9;
const Statement kListSessions{
    "lk_list_sessions",
    "SELECT " + kSessionColumns +
        " FROM auth.sessions s WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > " +
        ts_param("$2") + " ORDER BY coalesce(s.refreshed_at, s.created_at) DESC, s.id LIMIT $3"};
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
    "lk_lock_token", "SELECT " + kSessionColumns +
                         ", t.used_at IS NOT NULL"
                         " FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id"
                         " WHERE t.token_hash = $1 FOR UPDATE OF t"};
const Statement kRevokeById{"lk_revoke_by_id",
                            "UPDATE auth.sessions SET revoked_at = " + ts_param("$2") +
                                " WHERE id = $1 AND revoked_at IS NULL"};
// Marks the old token used, issues the new one and records the session's use, in one statement.
const Statement kSpendToken{
    "lk_spend_token",
    "WITH spent AS (UPDATE auth.refresh_tokens SET used_at = " + ts_param("$3") +
        ", replaced_by = $2, replaced_by_sealed = $7 WHERE token_hash = $1), used AS (UPDATE "
        "auth.sessions SET refreshed_at = " +
        ts_param("$3") +
        ", ip = $5, user_agent = $6 WHERE id = $4)"
        " INSERT INTO auth.refresh_tokens (token_hash, session_id, created_at) VALUES ($2, $4, " +
        ts_param("$3") + ")"};

// A forgiven replay: the live token's seal if $1 is the parent of the session's live token and
// was spent at or after $2. A statement of its own, after the lock, so that (READ COMMITTED)
// it sees the successor a concurrent rotation just committed.
const Statement kForgivenReplay{
    "lk_forgiven_replay",
    "SELECT t.replaced_by_sealed FROM auth.refresh_tokens t"
    " JOIN auth.refresh_tokens n ON n.token_hash = t.replaced_by AND n.used_at IS NULL"
    " WHERE t.token_hash = $1 AND t.used_at >= " +
        ts_param("$2") + " AND t.replaced_by_sealed IS NOT NULL"};

Result<SessionRecord> read_session(const PGresult* r, int row) {
  auto sid = uuid_col(r, row, 0);
  auto uid = uuid_col(r, row, 1);
  if (!sid || !uid) return fail(corrupt_row("sessions.id/user_id"));
  SessionRecord s{SessionId{*sid}, UserId{*uid}, int64(r, row, 2), int64(r, row, 3),
                  opt_int64(r, row, 4)};
  s.sign_in_method = text(r, row, 5);
  s.client = SessionClient{text(r, row, 6), text(r, row, 7)};
  s.refreshed_at = opt_int64(r, row, 8);
  return s;
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
                    std::to_string(session.expires_at), opt_micros(session.revoked_at),
                    session.sign_in_method, session.client.ip, session.client.user_agent,
                    opt_micros(session.refreshed_at)}},
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

  Result<std::vector<SessionRecord>> list_sessions(UserId owner, core::Micros now,
                                                   int limit) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kListSessions,
                           Params{owner.str(), std::to_string(now), std::to_string(limit)});
    if (!r) return fail(std::move(r).error());
    std::vector<SessionRecord> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      auto session = read_session(r->get(), i);
      if (!session) return fail(std::move(session).error());
      out.push_back(std::move(*session));
    }
    return out;
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

  Result<RotatedSession> rotate_refresh_token(const RefreshRotation& rotation, core::Micros now,
                                              const SessionClient& client) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    // Two round trips: BEGIN + lock the token row, then the writes + COMMIT. On any early
    // return the transaction is still open and the pool closes the connection (which rolls
    // it back) instead of reusing it; the explicit ROLLBACKs below keep the common refusals
    // from costing a reconnect.
    const std::array<Step, 2> lock{Step{&kBegin, {}},
                                   Step{&kLockToken, Params{std::string(rotation.old_hash)}}};
    auto locked = c.pipeline(lock);
    if (!locked) return fail(std::move(locked).error());
    const PGresult* row = (*locked)[1].get();
    auto refuse = [&](std::string detail) -> Result<RotatedSession> {
      (void)c.run(kRollback);
      return fail(unauthenticated(std::move(detail)));
    };
    if (PQntuples(row) == 0) return refuse("refresh_token_unknown");
    auto read = read_session(row, 0);
    if (!read) return fail(std::move(read).error());
    SessionRecord session = std::move(*read);
    const bool already_used = text(row, 0, kSessionColumnCount) == "t";
    if (session.revoked_at) return refuse("session_revoked");
    if (session.expires_at <= now) return refuse("session_expired");

    if (already_used) {
      if (rotation.reuse_interval > 0) {
        auto forgiven = c.run(
            kForgivenReplay,
            Params{std::string(rotation.old_hash), std::to_string(now - rotation.reuse_interval)});
        if (!forgiven) return fail(std::move(forgiven).error());
        if (PQntuples(forgiven->get()) == 1) {
          std::string live_sealed = text(forgiven->get(), 0, 0);
          if (auto r = c.run(kRollback); !r) return fail(std::move(r).error());
          return RotatedSession{std::move(session), std::move(live_sealed)};
        }
      }
      // Replay of a spent token: someone holds a copy, so the whole session dies. This is
      // committed even though the call fails, otherwise the revocation would be rolled back.
      const std::array<Step, 2> revoke{
          Step{&kRevokeById, Params{session.id.str(), std::to_string(now)}}, Step{&kCommit, {}}};
      if (auto r = c.pipeline(revoke); !r) return fail(std::move(r).error());
      return fail(unauthenticated(std::string(kRefreshTokenReused)));
    }
    std::optional<std::string> sealed;
    if (!rotation.new_sealed.empty()) sealed = std::string(rotation.new_sealed);
    const std::array<Step, 2> spend{
        Step{&kSpendToken,
             Params{std::string(rotation.old_hash), std::string(rotation.new_hash),
                    std::to_string(now), session.id.str(), client.ip, client.user_agent, sealed}},
        Step{&kCommit, {}}};
    if (auto r = c.pipeline(spend); !r) return fail(std::move(r).error());
    session.refreshed_at = now;
    session.client = client;
    return RotatedSession{std::move(session), std::nullopt};
  }

 private:
  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_sessions(PgDatabase& db) {
  return std::make_unique<PgSessions>(db);
}

}  // namespace latchkey::store::postgres
