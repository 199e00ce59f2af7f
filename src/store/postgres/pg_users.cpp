// UserStore on PostgreSQL. The auth.* tables are the login role's own business (no RLS
// there): these statements run as the login role.
#include "core/ascii.hpp"
#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kUserColumns = "id, email, full_name, password_hash, " + micros_col("created_at");

const Statement kInsertUser{
    "lk_insert_user",
    "INSERT INTO auth.users (id, email, full_name, password_hash, created_at)"
    " VALUES ($1, $2, $3, $4, " +
        ts_param("$5") + ")"};
const Statement kUserByEmail{"lk_user_by_email",
                             "SELECT " + kUserColumns + " FROM auth.users WHERE email = $1"};
const Statement kUserById{"lk_user_by_id",
                          "SELECT " + kUserColumns + " FROM auth.users WHERE id = $1"};
const Statement kSetPasswordHash{"lk_set_password_hash",
                                 "UPDATE auth.users SET password_hash = $2 WHERE id = $1"};

class PgUsers final : public UserStore {
 public:
  explicit PgUsers(PgDatabase& db) : db_(db) {}

  Result<UserRecord> create_user(const NewUser& user, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    // Folded here too, so the UNIQUE constraint is case-insensitive even if a caller forgets.
    UserRecord rec{user.id, core::ascii_lower(user.email), user.full_name, user.password_hash, now};
    auto r = (*lease)->run(kInsertUser, Params{rec.id.str(), rec.email, rec.full_name,
                                               rec.password_hash, std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    return rec;
  }

  Result<UserRecord> find_user_by_email(std::string_view email) override {
    return find_with(kUserByEmail, core::ascii_lower(email));
  }

  Result<UserRecord> find_user(UserId id) override { return find_with(kUserById, id.str()); }

  Result<void> set_password_hash(UserId id, std::string_view phc_hash) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kSetPasswordHash, Params{id.str(), std::string(phc_hash)});
    if (!r) return fail(std::move(r).error());
    if (affected_rows(r->get()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
    return {};
  }

 private:
  Result<UserRecord> find_with(const Statement& st, std::string key) {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(st, Params{std::move(key)});
    if (!r) return fail(std::move(r).error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return fail(Error::of(Errc::not_found, "user not found"));
    auto id = uuid_col(res, 0, 0);
    if (!id) return fail(corrupt_row("users.id"));
    return UserRecord{UserId{*id}, text(res, 0, 1), opt_text(res, 0, 2), text(res, 0, 3),
                      int64(res, 0, 4)};
  }

  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_users(PgDatabase& db) { return std::make_unique<PgUsers>(db); }

}  // namespace latchkey::store::postgres
