// FactorStore on PostgreSQL, as the login role: TOTP factors and their challenges.
#include <array>

#include "store/factor_store.hpp"
#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kColumns =
    "id, user_id, factor_type, friendly_name, secret_sealed, status,"
    " last_used_step, " +
    micros_col("created_at") + ", " + micros_col("updated_at") + ", " +
    micros_col("last_challenged_at");
const Statement kInsertFactor{
    "lk_insert_factor",
    "INSERT INTO auth.mfa_factors (id, user_id, factor_type, friendly_name, secret_sealed,"
    " status, last_used_step, created_at, updated_at, last_challenged_at) VALUES ($1, $2, $3,"
    " $4, $5, $6, $7, " +
        ts_param("$8") + ", " + ts_param("$9") + ", " + ts_param("$10") + ")"};
const Statement kListFactors{"lk_list_factors", "SELECT " + kColumns +
                                                    " FROM auth.mfa_factors WHERE user_id = $1"
                                                    " ORDER BY created_at, id"};
const Statement kFindFactor{"lk_find_factor", "SELECT " + kColumns +
                                                  " FROM auth.mfa_factors"
                                                  " WHERE id = $1 AND user_id = $2"};
// FOR UPDATE: two verifications of one factor serialize on its row, so the step guard below
// sees the other's step.
const Statement kLockFactor{"lk_lock_factor", "SELECT " + kColumns +
                                                  " FROM auth.mfa_factors"
                                                  " WHERE id = $1 AND user_id = $2 FOR UPDATE"};
const Statement kDeleteFactor{"lk_delete_factor",
                              "DELETE FROM auth.mfa_factors WHERE id = $1 AND user_id = $2"};
const Statement kStampChallenged{
    "lk_stamp_challenged", "UPDATE auth.mfa_factors SET last_challenged_at = " + ts_param("$3") +
                               " WHERE id = $1 AND user_id = $2"};
const Statement kInsertChallenge{
    "lk_insert_challenge",
    "INSERT INTO auth.mfa_challenges (id, factor_id, created_at, expires_at, verified_at, ip)"
    " VALUES ($1, $2, " +
        ts_param("$3") + ", " + ts_param("$4") + ", " + ts_param("$5") + ", $6)"};
const Statement kReadChallenge{
    "lk_read_challenge",
    "SELECT expires_at <= " + ts_param("$3") +
        " OR verified_at IS NOT NULL FROM auth.mfa_challenges WHERE id = $1 AND factor_id = $2"};
const Statement kSpendStep{
    "lk_spend_step",
    "WITH f AS (UPDATE auth.mfa_factors SET last_used_step = $2, status = 'verified',"
    " updated_at = " +
        ts_param("$3") +
        " WHERE id = $1 AND last_used_step < $2), c AS (UPDATE auth.mfa_challenges SET"
        " verified_at = " +
        ts_param("$3") +
        " WHERE id = $4) UPDATE auth.sessions SET mfa_verified_at = " + ts_param("$3") +
        ", mfa_factor_id = $1 WHERE id = $5 AND user_id = $6 AND revoked_at IS NULL"};

Result<FactorRecord> read_factor(const PGresult* r, int row) {
  auto id = uuid_col(r, row, 0);
  auto user = uuid_col(r, row, 1);
  if (!id || !user) return fail(corrupt_row("mfa_factors.id/user_id"));
  FactorRecord f{FactorId{*id}, UserId{*user}};
  f.factor_type = text(r, row, 2);
  f.friendly_name = text(r, row, 3);
  f.secret_sealed = text(r, row, 4);
  f.status = text(r, row, 5) == "verified" ? FactorStatus::verified : FactorStatus::unverified;
  f.last_used_step = int64(r, row, 6);
  f.created_at = int64(r, row, 7);
  f.updated_at = int64(r, row, 8);
  f.last_challenged_at = opt_int64(r, row, 9);
  return f;
}

Error not_found(const char* what) { return Error::of(Errc::not_found, what); }
Error unauthenticated(std::string detail) {
  return Error::of(Errc::unauthenticated, std::move(detail));
}

class PgFactors final : public FactorStore {
 public:
  explicit PgFactors(PgDatabase& db) : db_(db) {}

  Result<FactorRecord> add_factor(const FactorRecord& f) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(
        kInsertFactor,
        Params{f.id.str(), f.user_id.str(), f.factor_type, f.friendly_name, f.secret_sealed,
               std::string(f.status == FactorStatus::verified ? "verified" : "unverified"),
               std::to_string(f.last_used_step), std::to_string(f.created_at),
               std::to_string(f.updated_at), opt_micros(f.last_challenged_at)});
    if (!r) return fail(std::move(r).error());
    return f;
  }

  Result<std::vector<FactorRecord>> list_factors(UserId owner) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kListFactors, Params{owner.str()});
    if (!r) return fail(std::move(r).error());
    std::vector<FactorRecord> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      auto f = read_factor(r->get(), i);
      if (!f) return fail(std::move(f).error());
      out.push_back(std::move(*f));
    }
    return out;
  }

  Result<FactorRecord> find_factor(UserId owner, FactorId id) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kFindFactor, Params{id.str(), owner.str()});
    if (!r) return fail(std::move(r).error());
    if (PQntuples(r->get()) == 0) return fail(not_found("factor not found"));
    return read_factor(r->get(), 0);
  }

  Result<void> delete_factor(UserId owner, FactorId id) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kDeleteFactor, Params{id.str(), owner.str()});
    if (!r) return fail(std::move(r).error());
    if (affected_rows(r->get()) == 0) return fail(not_found("factor not found"));
    return {};
  }

  Result<void> add_challenge(UserId owner, const ChallengeRecord& ch) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    const std::array<Step, 2> stamp{Step{&kBegin, {}},
                                    Step{&kStampChallenged, Params{ch.factor_id.str(), owner.str(),
                                                                   std::to_string(ch.created_at)}}};
    auto stamped = c.pipeline(stamp);
    if (!stamped) return fail(std::move(stamped).error());
    if (affected_rows((*stamped)[1].get()) == 0) {
      (void)c.run(kRollback);
      return fail(not_found("factor not found"));
    }
    const std::array<Step, 2> insert{
        Step{&kInsertChallenge,
             Params{ch.id.str(), ch.factor_id.str(), std::to_string(ch.created_at),
                    std::to_string(ch.expires_at), opt_micros(ch.verified_at), ch.ip}},
        Step{&kCommit, {}}};
    if (auto r = c.pipeline(insert); !r) return fail(std::move(r).error());
    return {};
  }

  Result<FactorRecord> verify_challenge(UserId owner, FactorId factor, ChallengeId id, int64_t step,
                                        SessionId session, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    const std::array<Step, 3> lock{
        Step{&kBegin, {}}, Step{&kLockFactor, Params{factor.str(), owner.str()}},
        Step{&kReadChallenge, Params{id.str(), factor.str(), std::to_string(now)}}};
    auto locked = c.pipeline(lock);
    if (!locked) return fail(std::move(locked).error());
    auto refuse = [&](Error e) -> Result<FactorRecord> {
      (void)c.run(kRollback);
      return fail(std::move(e));
    };
    if (PQntuples((*locked)[1].get()) == 0) return refuse(not_found("factor not found"));
    auto f = read_factor((*locked)[1].get(), 0);
    if (!f) return refuse(std::move(f).error());
    const PGresult* ch = (*locked)[2].get();
    if (PQntuples(ch) == 0) return refuse(not_found("challenge not found"));
    if (text(ch, 0, 0) == "t") return refuse(unauthenticated("challenge_expired"));
    if (step <= f->last_used_step) return refuse(unauthenticated("code_reused"));
    const std::array<Step, 1> spend{
        Step{&kSpendStep, Params{factor.str(), std::to_string(step), std::to_string(now), id.str(),
                                 session.str(), owner.str()}}};
    auto spent = c.pipeline(spend);
    if (!spent) return fail(std::move(spent).error());
    if (affected_rows((*spent)[0].get()) == 0) return refuse(unauthenticated("session_revoked"));
    if (auto r = c.run(kCommit); !r) return fail(std::move(r).error());
    f->last_used_step = step;
    f->status = FactorStatus::verified;
    f->updated_at = now;
    return f;
  }

 private:
  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<FactorStore> make_factors(PgDatabase& db) {
  return std::make_unique<PgFactors>(db);
}

}  // namespace latchkey::store::postgres
