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
      "INSERT INTO sessions(id, user_id, created_at, expires_at, revoked_at, sign_in_method, ip,"
      " user_agent, refreshed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s) return fail(std::move(s).error());
  s->bind(1, session.id.str()).bind(2, session.user_id.str()).bind(3, session.created_at);
  s->bind(4, session.expires_at).bind(5, session.revoked_at).bind(6, session.sign_in_method);
  s->bind(7, session.client.ip).bind(8, session.client.user_agent).bind(9, session.refreshed_at);
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

// The session columns, in the order read_session reads them.
constexpr std::string_view kSessionColumns =
    "s.id, s.user_id, s.created_at, s.expires_at, s.revoked_at, s.sign_in_method, s.ip,"
    " s.user_agent, s.refreshed_at";
constexpr int kSessionColumnCount = 9;

Result<SessionRecord> read_session(const Query& q) {
  auto sid = parse_uuid_column(q, 0);
  auto uid = parse_uuid_column(q, 1);
  if (!sid || !uid) return fail(corrupt_row("sessions.id/user_id"));
  SessionRecord s{SessionId{*sid}, UserId{*uid}, q.int64(2), q.int64(3), q.opt_int64(4)};
  s.sign_in_method = q.text(5);
  s.client = SessionClient{q.text(6), q.text(7)};
  s.refreshed_at = q.opt_int64(8);
  return s;
}

// A forgiven replay (RefreshRotation::reuse_interval): the live token's seal if `spent` is
// the parent of the session's live token and was spent at most `interval` before `now`.
Result<std::optional<std::string>> forgiven_replay(Connection& c, std::string_view spent,
                                                   core::Micros now, core::Micros interval) {
  if (interval <= 0) return std::optional<std::string>{};
  auto q = c.query(
      "SELECT t.replaced_by_sealed FROM refresh_tokens t"
      " JOIN refresh_tokens n ON n.token_hash = t.replaced_by AND n.used_at IS NULL"
      " WHERE t.token_hash = ?1 AND t.used_at >= ?2 AND t.replaced_by_sealed IS NOT NULL");
  if (!q) return fail(std::move(q).error());
  q->bind(1, spent).bind(2, now - interval);
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>{q->text(0)};
}

// Jobs run one at a time on the writer's connection, so two concurrent rotations of the
// same token are serialized: exactly one sees used_at IS NULL and the other is a replay.
Written<RotatedSession> rotate(Connection& c, const RefreshRotation& rotation, core::Micros now,
                               const SessionClient& client) {
  auto failed = [](Error e) { return Written<RotatedSession>{fail(std::move(e)), false}; };
  SessionRecord session;
  bool already_used = false;
  {
    static const std::string sql =
        "SELECT " + std::string(kSessionColumns) +
        ", t.used_at FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
        " WHERE t.token_hash = ?1";
    auto q = c.query(sql);
    if (!q) return failed(std::move(q).error());
    q->bind(1, rotation.old_hash);
    auto row = q->step();
    if (!row) return failed(std::move(row).error());
    if (!*row) return failed(unauthenticated("refresh_token_unknown"));
    auto read = read_session(*q);
    if (!read) return failed(std::move(read).error());
    session = std::move(*read);
    already_used = !q->is_null(kSessionColumnCount);
  }
  if (session.revoked_at) return failed(unauthenticated("session_revoked"));
  if (session.expires_at <= now) return failed(unauthenticated("session_expired"));

  if (already_used) {
    auto forgiven = forgiven_replay(c, rotation.old_hash, now, rotation.reuse_interval);
    if (!forgiven) return failed(std::move(forgiven).error());
    if (*forgiven)
      return Written<RotatedSession>{RotatedSession{session, std::move(*forgiven)}, false};
    // Replay of a spent token: someone holds a copy, so the whole session dies. The writes
    // are kept (committed) even though the call fails, otherwise the revocation would be
    // rolled back.
    auto q = c.query("UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (!q) return failed(std::move(q).error());
    if (auto r = q->bind(1, session.id.str()).bind(2, now).run(); !r)
      return failed(std::move(r).error());
    return Written<RotatedSession>{fail(unauthenticated(std::string(kRefreshTokenReused))), true};
  }

  auto used = c.query(
      "UPDATE refresh_tokens SET used_at = ?2, replaced_by = ?3, replaced_by_sealed = ?4"
      " WHERE token_hash = ?1");
  if (!used) return failed(std::move(used).error());
  std::optional<std::string> sealed;
  if (!rotation.new_sealed.empty()) sealed = std::string(rotation.new_sealed);
  used->bind(1, rotation.old_hash).bind(2, now).bind(3, rotation.new_hash).bind(4, sealed);
  if (auto r = used->run(); !r) return failed(std::move(r).error());

  auto next =
      c.query("INSERT INTO refresh_tokens(token_hash, session_id, created_at) VALUES (?1, ?2, ?3)");
  if (!next) return failed(std::move(next).error());
  if (auto r = next->bind(1, rotation.new_hash).bind(2, session.id.str()).bind(3, now).run(); !r)
    return failed(std::move(r).error());

  auto used_by =
      c.query("UPDATE sessions SET refreshed_at = ?2, ip = ?3, user_agent = ?4 WHERE id = ?1");
  if (!used_by) return failed(std::move(used_by).error());
  used_by->bind(1, session.id.str()).bind(2, now).bind(3, client.ip).bind(4, client.user_agent);
  if (auto r = used_by->run(); !r) return failed(std::move(r).error());
  session.refreshed_at = now;
  session.client = client;
  return Written<RotatedSession>{RotatedSession{std::move(session), std::nullopt}, true};
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

  Result<std::vector<SessionRecord>> list_sessions(UserId owner, core::Micros now,
                                                   int limit) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    static const std::string sql =
        "SELECT " + std::string(kSessionColumns) +
        " FROM sessions s WHERE s.user_id = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2"
        " ORDER BY coalesce(s.refreshed_at, s.created_at) DESC, s.id LIMIT ?3";
    auto q = (*lease)->query(sql);
    if (!q) return fail(std::move(q).error());
    q->bind(1, owner.str()).bind(2, now).bind(3, int64_t{limit});
    std::vector<SessionRecord> out;
    for (;;) {
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (!*row) return out;
      auto session = read_session(*q);
      if (!session) return fail(std::move(session).error());
      out.push_back(std::move(*session));
    }
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

  Result<RotatedSession> rotate_refresh_token(const RefreshRotation& rotation, core::Micros now,
                                              const SessionClient& client) override {
    return db_.write([&](Connection& c) { return rotate(c, rotation, now, client); });
  }

 private:
  SqliteDatabase& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_sessions(SqliteDatabase& db) {
  return std::make_unique<SqliteSessions>(db);
}

}  // namespace latchkey::store::sqlite
