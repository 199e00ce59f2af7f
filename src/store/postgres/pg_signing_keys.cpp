// SigningKeyStore on PostgreSQL, as the login role: the JWT signing keys every node shares.
#include <array>

#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

const Statement kListKeys{"lk_list_signing_keys",
                          "SELECT kid, algorithm, private_sealed, public_jwk, origin, " +
                              micros_col("created_at") + ", " + micros_col("signs_from") + ", " +
                              micros_col("retired_at") +
                              " FROM auth.signing_keys ORDER BY created_at, kid"};
const Statement kInsertKey{
    "lk_insert_signing_key",
    "INSERT INTO auth.signing_keys (kid, algorithm, private_sealed, public_jwk, origin,"
    " created_at, signs_from, retired_at) VALUES ($1, $2, $3, $4, $5, " +
        ts_param("$6") + ", " + ts_param("$7") + ", " + ts_param("$8") + ")"};
// Nodes that start at once each try to add the first key: one transaction-scoped lock (any
// fixed number, scoped to this database) makes the check and the insert one step.
const Statement kLockFirstSigner{"lk_lock_first_signer",
                                 "SELECT pg_advisory_xact_lock(7308604897896183155)"};
const Statement kAnySigner{
    "lk_any_signer",
    "SELECT 1 FROM auth.signing_keys WHERE signs_from IS NOT NULL AND retired_at IS NULL"};
const Statement kRetireKey{"lk_retire_signing_key",
                           "UPDATE auth.signing_keys SET retired_at = coalesce(retired_at, " +
                               ts_param("$2") + ") WHERE kid = $1"};

Params insert_params(const SigningKeyRecord& k) {
  return Params{k.kid,
                k.algorithm,
                k.private_sealed,
                k.public_jwk,
                k.origin,
                std::to_string(k.created_at),
                opt_micros(k.signs_from),
                opt_micros(k.retired_at)};
}

class PgSigningKeys final : public SigningKeyStore {
 public:
  explicit PgSigningKeys(PgDatabase& db) : db_(db) {}

  Result<std::vector<SigningKeyRecord>> list_keys() override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kListKeys);
    if (!r) return fail(std::move(r).error());
    const PGresult* res = r->get();
    std::vector<SigningKeyRecord> out;
    for (int i = 0; i < PQntuples(res); ++i) {
      SigningKeyRecord k;
      k.kid = text(res, i, 0);
      k.algorithm = text(res, i, 1);
      k.private_sealed = text(res, i, 2);
      k.public_jwk = text(res, i, 3);
      k.origin = text(res, i, 4);
      k.created_at = int64(res, i, 5);
      k.signs_from = opt_int64(res, i, 6);
      k.retired_at = opt_int64(res, i, 7);
      out.push_back(std::move(k));
    }
    return out;
  }

  Result<void> add_keys(const std::vector<SigningKeyRecord>& keys) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    // One pipeline outside BEGIN is one implicit transaction: all keys or none.
    std::vector<Step> steps;
    steps.reserve(keys.size());
    for (const auto& k : keys) steps.push_back(Step{&kInsertKey, insert_params(k)});
    if (steps.empty()) return {};
    if (auto r = (*lease)->pipeline(steps); !r) return fail(std::move(r).error());
    return {};
  }

  Result<bool> add_first_signer(const SigningKeyRecord& key) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    const std::array<Step, 3> check{Step{&kBegin, {}}, Step{&kLockFirstSigner, {}},
                                    Step{&kAnySigner, {}}};
    auto checked = c.pipeline(check);
    if (!checked) return fail(std::move(checked).error());
    if (PQntuples((*checked)[2].get()) > 0) {
      if (auto r = c.run(kRollback); !r) return fail(std::move(r).error());
      return false;
    }
    const std::array<Step, 2> insert{Step{&kInsertKey, insert_params(key)}, Step{&kCommit, {}}};
    if (auto r = c.pipeline(insert); !r) return fail(std::move(r).error());
    return true;
  }

  Result<void> retire_key(std::string_view kid, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kRetireKey, Params{std::string(kid), std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    if (affected_rows(r->get()) == 0)
      return fail(Error::of(Errc::not_found, "signing key not found"));
    return {};
  }

 private:
  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<SigningKeyStore> make_signing_keys(PgDatabase& db) {
  return std::make_unique<PgSigningKeys>(db);
}

}  // namespace latchkey::store::postgres
