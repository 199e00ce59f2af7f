// SigningKeyStore on SQLite: the JWT signing keys, their private parts sealed by the caller.
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "kid, algorithm, private_sealed, public_jwk, origin, created_at, signs_from, retired_at";

SigningKeyRecord read_key(const Query& q) {
  SigningKeyRecord k;
  k.kid = q.text(0);
  k.algorithm = q.text(1);
  k.private_sealed = q.text(2);
  k.public_jwk = q.text(3);
  k.origin = q.text(4);
  k.created_at = q.int64(5);
  k.signs_from = q.opt_int64(6);
  k.retired_at = q.opt_int64(7);
  return k;
}

Result<void> insert_key(Connection& c, const SigningKeyRecord& k) {
  static const std::string sql = "INSERT INTO signing_keys(" + std::string(kColumns) +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  auto q = c.query(sql);
  if (!q) return fail(std::move(q).error());
  q->bind(1, k.kid).bind(2, k.algorithm).bind(3, k.private_sealed).bind(4, k.public_jwk);
  q->bind(5, k.origin).bind(6, k.created_at).bind(7, k.signs_from).bind(8, k.retired_at);
  return q->run();
}

class SqliteSigningKeys final : public SigningKeyStore {
 public:
  explicit SqliteSigningKeys(SqliteDatabase& db) : db_(db) {}

  Result<std::vector<SigningKeyRecord>> list_keys() override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    static const std::string sql =
        "SELECT " + std::string(kColumns) + " FROM signing_keys ORDER BY created_at, rowid";
    auto q = (*lease)->query(sql);
    if (!q) return fail(std::move(q).error());
    std::vector<SigningKeyRecord> out;
    for (;;) {
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (!*row) return out;
      out.push_back(read_key(*q));
    }
  }

  Result<void> add_keys(const std::vector<SigningKeyRecord>& keys) override {
    return db_.write([&](Connection& c) -> Result<void> {
      for (const auto& k : keys) {
        if (auto r = insert_key(c, k); !r) return r;
      }
      return {};
    });
  }

  Result<bool> add_first_signer(const SigningKeyRecord& key) override {
    // One writer runs jobs one at a time, so the check and the insert cannot interleave with
    // another node's (a SQLite database has one server process).
    return db_.write([&](Connection& c) -> Result<bool> {
      auto q =
          c.query("SELECT 1 FROM signing_keys WHERE signs_from IS NOT NULL AND retired_at IS NULL");
      if (!q) return fail(std::move(q).error());
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (*row) return false;
      if (auto r = insert_key(c, key); !r) return fail(std::move(r).error());
      return true;
    });
  }

  Result<void> retire_key(std::string_view kid, core::Micros now) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto q =
          c.query("UPDATE signing_keys SET retired_at = coalesce(retired_at, ?2) WHERE kid = ?1");
      if (!q) return fail(std::move(q).error());
      if (auto r = q->bind(1, kid).bind(2, now).run(); !r) return r;
      if (sqlite3_changes(c.db()) == 0)
        return fail(Error::of(Errc::not_found, "signing key not found"));
      return {};
    });
  }

 private:
  SqliteDatabase& db_;
};

}  // namespace

std::unique_ptr<SigningKeyStore> make_signing_keys(SqliteDatabase& db) {
  return std::make_unique<SqliteSigningKeys>(db);
}

}  // namespace latchkey::store::sqlite
