// FactorStore on SQLite: TOTP factors and their challenges (WIP, issue 12).
#include "store/factor_store.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, user_id, factor_type, friendly_name, secret_sealed, status, last_used_step, created_at,"
    " updated_at, last_challenged_at";

std::string_view status_text(FactorStatus s) {
  return s == FactorStatus::verified ? "verified" : "unverified";
}

Error unauthenticated(std::string detail) {
  return Error::of(Errc::unauthenticated, std::move(detail));
}

Result<FactorRecord> read_factor(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  auto user = parse_uuid_column(q, 1);
  if (!id || !user) return fail(corrupt_row("mfa_factors.id/user_id"));
  FactorRecord f{FactorId{*id}, UserId{*user}};
  f.factor_type = q.text(2);
  f.friendly_name = q.text(3);
  f.secret_sealed = q.text(4);
  f.status = q.text(5) == "verified" ? FactorStatus::verified : FactorStatus::unverified;
  f.last_used_step = q.int64(6);
  f.created_at = q.int64(7);
  f.updated_at = q.int64(8);
  f.last_challenged_at = q.opt_int64(9);
  return f;
}

Result<FactorRecord> find(Connection& c, UserId owner, FactorId id) {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM mfa_factors WHERE id = ?1 AND user_id = ?2";
  auto q = c.query(sql);
  if (!q) return fail(std::move(q).error());
  q->bind(1, id.str()).bind(2, owner.str());
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return fail(Error::of(Errc::not_found, "factor not found"));
  return read_factor(*q);
}

class SqliteFactors final : public FactorStore {
 public:
  explicit SqliteFactors(SqliteDatabase& db) : db_(db) {}

  Result<FactorRecord> add_factor(const FactorRecord& f) override {
    return db_.write([&](Connection& c) -> Result<FactorRecord> {
      static const std::string sql = "INSERT INTO mfa_factors(" + std::string(kColumns) +
                                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
      auto q = c.query(sql);
      if (!q) return fail(std::move(q).error());
      q->bind(1, f.id.str()).bind(2, f.user_id.str()).bind(3, f.factor_type);
      q->bind(4, f.friendly_name).bind(5, f.secret_sealed).bind(6, status_text(f.status));
      q->bind(7, f.last_used_step).bind(8, f.created_at).bind(9, f.updated_at);
      q->bind(10, f.last_challenged_at);
      if (auto r = q->run(); !r) return fail(std::move(r).error());
      return f;
    });
  }

  Result<std::vector<FactorRecord>> list_factors(UserId owner) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    static const std::string sql = "SELECT " + std::string(kColumns) +
                                   " FROM mfa_factors WHERE user_id = ?1 ORDER BY created_at, id";
    auto q = (*lease)->query(sql);
    if (!q) return fail(std::move(q).error());
    q->bind(1, owner.str());
    std::vector<FactorRecord> out;
    for (;;) {
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (!*row) return out;
      auto f = read_factor(*q);
      if (!f) return fail(std::move(f).error());
      out.push_back(std::move(*f));
    }
  }

  Result<FactorRecord> find_factor(UserId owner, FactorId id) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    return find(**lease, owner, id);
  }

  Result<void> delete_factor(UserId owner, FactorId id) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto q = c.query("DELETE FROM mfa_factors WHERE id = ?1 AND user_id = ?2");
      if (!q) return fail(std::move(q).error());
      if (auto r = q->bind(1, id.str()).bind(2, owner.str()).run(); !r) return r;
      if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "factor not found"));
      return {};
    });
  }

  Result<void> add_challenge(UserId owner, const ChallengeRecord& ch) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto stamp =
          c.query("UPDATE mfa_factors SET last_challenged_at = ?3 WHERE id = ?1 AND user_id = ?2");
      if (!stamp) return fail(std::move(stamp).error());
      stamp->bind(1, ch.factor_id.str()).bind(2, owner.str()).bind(3, ch.created_at);
      if (auto r = stamp->run(); !r) return r;
      if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "factor not found"));
      auto q = c.query(
          "INSERT INTO mfa_challenges(id, factor_id, created_at, expires_at, verified_at, ip)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!q) return fail(std::move(q).error());
      q->bind(1, ch.id.str()).bind(2, ch.factor_id.str()).bind(3, ch.created_at);
      q->bind(4, ch.expires_at).bind(5, ch.verified_at).bind(6, ch.ip);
      return q->run();
    });
  }

  Result<FactorRecord> verify_challenge(UserId owner, FactorId factor, ChallengeId id, int64_t step,
                                        SessionId session, core::Micros now) override {
    // One writer job: the challenge, the step guard and the session upgrade cannot interleave
    // with another verification of the same factor.
    return db_.write([&](Connection& c) -> Written<FactorRecord> {
      auto failed = [](Error e) { return Written<FactorRecord>{fail(std::move(e)), false}; };
      auto f = find(c, owner, factor);
      if (!f) return failed(std::move(f).error());
      auto ch = c.query(
          "SELECT expires_at, verified_at IS NOT NULL FROM mfa_challenges"
          " WHERE id = ?1 AND factor_id = ?2");
      if (!ch) return failed(std::move(ch).error());
      ch->bind(1, id.str()).bind(2, factor.str());
      auto row = ch->step();
      if (!row) return failed(std::move(row).error());
      if (!*row) return failed(Error::of(Errc::not_found, "challenge not found"));
      if (ch->int64(0) <= now || ch->int64(1) != 0)
        return failed(unauthenticated("challenge_expired"));
      if (step <= f->last_used_step) return failed(unauthenticated("code_reused"));

      auto used = c.query(
          "UPDATE mfa_factors SET last_used_step = ?2, status = 'verified', updated_at = ?3"
          " WHERE id = ?1 AND last_used_step < ?2");
      if (!used) return failed(std::move(used).error());
      if (auto r = used->bind(1, factor.str()).bind(2, step).bind(3, now).run(); !r)
        return failed(std::move(r).error());
      auto done = c.query("UPDATE mfa_challenges SET verified_at = ?2 WHERE id = ?1");
      if (!done) return failed(std::move(done).error());
      if (auto r = done->bind(1, id.str()).bind(2, now).run(); !r)
        return failed(std::move(r).error());
      auto raised = c.query(
          "UPDATE sessions SET mfa_verified_at = ?3, mfa_factor_id = ?4"
          " WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL");
      if (!raised) return failed(std::move(raised).error());
      raised->bind(1, session.str()).bind(2, owner.str()).bind(3, now).bind(4, factor.str());
      if (auto r = raised->run(); !r) return failed(std::move(r).error());
      if (sqlite3_changes(c.db()) == 0) return failed(unauthenticated("session_revoked"));
      f->last_used_step = step;
      f->status = FactorStatus::verified;
      f->updated_at = now;
      return Written<FactorRecord>{std::move(*f), true};
    });
  }

 private:
  SqliteDatabase& db_;
};

}  // namespace

std::unique_ptr<FactorStore> make_factors(SqliteDatabase& db) {
  return std::make_unique<SqliteFactors>(db);
}

}  // namespace latchkey::store::sqlite
