// SessionStore on SQLite: sessions and single-use refresh tokens (stored as hashes only).
// Writes run as group-commit jobs (group_commit.hpp): each inside its own savepoint of the
// writer's batch transaction, on the single writer connection.
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

Error unauthenticated(std::string detail) {
  return Error::of(Errc::unauthenticated, std::move(detail));
}

Result<SessionRecord> insert_session(Connection& c, const SessionRecord& session,
                                     std::string_view refresh_hash) {
  auto s = c.query(
      "INSERT INTO sessions(id, user_id, created_at, expires_at, revoked_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!s) return fail(std::move(s).error());
  s->bind(1, session.id.str()).bind(2, session.user_id.str()).bind(3, session.created_at);
  s->bind(4, session.expires_at).bind(5, session.revoked_at);
  if (auto r = s->run(); !r) return fail(std::move(r).error());

  auto t =
      c.query("INSERT INTO refresh_tokens(token_hash, session_id, created_at) VALUES (?1, ?2, ?3)");
  if (!t) return fail(std::move(t).error());
  t->bind(1, refresh_hash).bind(2, session.id.str()).bind(3, session.created_at);
  if (auto r = t->run(); !r) return fail(std::move(r).error());

  auto u = c.query("UPDATE users SET last_sign_in_at = ?2 WHERE id = ?1");
  if (!u) return fail(std::move(u).error());
  if (auto r = u->bind(1, session.user_id.str()).bind(2, session.created_at).run(); !r)
    return fail(std::move(r).error());
  return session;
}

Result<void> mark_revoked(Connection& c, UserId owner, SessionId id, core::Micros now) {
  // coalesce keeps the first revocation time, so revoking twice is a no-op that still
  // counts as a changed row (found) for the not_found check below.
  auto q = c.query(
      "UPDATE sessions SET revoked_at = coalesce(revoked_at, ?3) WHERE id = ?1 AND user_id = ?2");
  if (!q) return fail(std::move(q).error());
  if (auto r = q->bind(1, id.str()).bind(2, owner.str()).bind(3, now).run(); !r) return r;
  if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "session not found"));
  return {};
}

// Jobs run one at a time on the writer's connection, so two concurrent rotations of the
// same token are serialized: exactly one sees used_at IS NULL and the other is a replay.
Written<SessionRecord> rotate(Connection& c, std::string_view old_hash, std::string_view new_hash,
                              core::Micros now) {
  auto failed = [](Error e) { return Written<SessionRecord>{fail(std::move(e)), false}; };
  SessionRecord session;
  bool already_used = false;
  {
    auto q = c.query(
        "SELECT s.id, s.user_id, s.created_at, s.expires_at, s.revoked_at, t.used_at"
        " FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
        " WHERE t.token_hash = ?1");
    if (!q) return failed(std::move(q).error());
    q->bind(1, old_hash);
    auto row = q->step();
    if (!row) return failed(std::move(row).error());
    if (!*row) return failed(unauthenticated("refresh_token_unknown"));
    auto sid = parse_uuid_column(*q, 0);
    auto uid = parse_uuid_column(*q, 1);
    if (!sid || !uid) return failed(corrupt_row("sessions.id/user_id"));
    session =
        SessionRecord{SessionId{*sid}, UserId{*uid}, q->int64(2), q->int64(3), q->opt_int64(4)};
    already_used = !q->is_null(5);
  }
  if (session.revoked_at) return failed(unauthenticated("session_revoked"));
  if (session.expires_at <= now) return failed(unauthenticated("session_expired"));

  if (already_used) {
    // Replay of a spent token: someone holds a copy, so the whole session dies. The writes
    // are kept (committed) even though the call fails, otherwise the revocation would be
    // rolled back.
    auto q = c.query("UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (!q) return failed(std::move(q).error());
    if (auto r = q->bind(1, session.id.str()).bind(2, now).run(); !r)
      return failed(std::move(r).error());
    return Written<SessionRecord>{fail(unauthenticated(std::string(kRefreshTokenReused))), true};
  }

  auto used = c.query("UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1");
  if (!used) return failed(std::move(used).error());
  if (auto r = used->bind(1, old_hash).bind(2, now).run(); !r) return failed(std::move(r).error());

  auto next =
      c.query("INSERT INTO refresh_tokens(token_hash, session_id, created_at) VALUES (?1, ?2, ?3)");
  if (!next) return failed(std::move(next).error());
  if (auto r = next->bind(1, new_hash).bind(2, session.id.str()).bind(3, now).run(); !r)
    return failed(std::move(r).error());
  return Written<SessionRecord>{session, true};
}

class SqliteSessions final : public SessionStore {
 public:
  explicit SqliteSessions(SqliteDatabase& db) : db_(db) {}

  Result<SessionRecord> open_session(const SessionRecord& session,
                                     std::string_view refresh_hash) override {
    return db_.write([&](Connection& c) { return insert_session(c, session, refresh_hash); });
  }

  Result<void> check_session(UserId owner, SessionId id, core::Micros now) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    auto q = (*lease)->query(
        "SELECT 1 FROM sessions"
        " WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL AND expires_at > ?3");
    if (!q) return fail(std::move(q).error());
    q->bind(1, id.str()).bind(2, owner.str()).bind(3, now);
    auto row = q->step();
    if (!row) return fail(std::move(row).error());
    // One answer for absent, someone else's, revoked and expired: the caller needs no more.
    if (!*row) return fail(Error::of(Errc::unauthenticated, "session not live"));
    return {};
  }

  Result<void> revoke_session(UserId owner, SessionId id, core::Micros now) override {
    return db_.write([&](Connection& c) { return mark_revoked(c, owner, id, now); });
  }

  Result<int64_t> revoke_user_sessions(UserId owner, std::optional<SessionId> keep,
                                       core::Micros now) override {
    return db_.write([&](Connection& c) -> Result<int64_t> {
      auto q = c.query(
          "UPDATE sessions SET revoked_at = ?2"
          " WHERE user_id = ?1 AND revoked_at IS NULL AND id IS NOT ?3");
      if (!q) return fail(std::move(q).error());
      std::optional<std::string> kept;
      if (keep) kept = keep->str();
      if (auto r = q->bind(1, owner.str()).bind(2, now).bind(3, kept).run(); !r)
        return fail(std::move(r).error());
      return int64_t{sqlite3_changes(c.db())};
    });
  }

  Result<SessionRecord> rotate_refresh_token(std::string_view old_hash, std::string_view new_hash,
                                             core::Micros now) override {
    return db_.write([&](Connection& c) { return rotate(c, old_hash, new_hash, now); });
  }

 private:
  SqliteDatabase& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_sessions(SqliteDatabase& db) {
  return std::make_unique<SqliteSessions>(db);
}

}  // namespace latchkey::store::sqlite
