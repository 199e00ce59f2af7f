// UserStore on PostgreSQL. The auth.* tables are the login role's own business (no RLS
// there): these statements run as the login role.
#include "core/ascii.hpp"
#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kUserColumns =
    "id, email, password_hash, " + micros_col("created_at") + ", " + micros_col("updated_at") +
    ", user_metadata::text, app_metadata::text, phone, " + micros_col("email_confirmed_at") +
    ", " + micros_col("last_sign_in_at") + ", " + micros_col("banned_until");

const Statement kInsertUser{
    "lk_insert_user",
    "INSERT INTO auth.users (id, email, password_hash, created_at, updated_at, user_metadata,"
    " app_metadata, phone, email_confirmed_at, banned_until) VALUES ($1, $2, $3, " +
        ts_param("$4") + ", " + ts_param("$4") + ", $5::jsonb, $6::jsonb, $7, " + ts_param("$8") +
        ", " + ts_param("$9") + ") RETURNING " + kUserColumns};
const Statement kUserByEmail{"lk_user_by_email",
                             "SELECT " + kUserColumns + " FROM auth.users WHERE email = $1"};
const Statement kUserById{"lk_user_by_id",
                          "SELECT " + kUserColumns + " FROM auth.users WHERE id = $1"};
const Statement kSetPasswordHash{"lk_set_password_hash",
                                 "UPDATE auth.users SET password_hash = $2 WHERE id = $1"};
// $N IS NULL keeps the column; the "clear" flags ($10-$12) set a nullable column to NULL.
const Statement kUpdateUser{
    "lk_update_user",
    "UPDATE auth.users SET"
    " email = coalesce($2, email),"
    " password_hash = coalesce($3, password_hash),"
    " user_metadata = coalesce($4::jsonb, user_metadata),"
    " app_metadata = coalesce($5::jsonb, app_metadata),"
    " phone = CASE WHEN $10::bool THEN $6 ELSE phone END,"
    " email_confirmed_at = CASE WHEN $11::bool THEN " +
        ts_param("$7") +
        " ELSE email_confirmed_at END,"
        " banned_until = CASE WHEN $12::bool THEN " +
        ts_param("$8") +
        " ELSE banned_until END,"
        " updated_at = " +
        ts_param("$9") + " WHERE id = $1 RETURNING " + kUserColumns};
const Statement kDeleteUser{"lk_delete_user", "DELETE FROM auth.users WHERE id = $1"};
// The total comes from the same statement (one snapshot) as the page.
const Statement kListUsers{"lk_list_users",
                           "SELECT " + kUserColumns +
                               ", (SELECT count(*) FROM auth.users) FROM auth.users"
                               " ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"};
const Statement kCountUsers{"lk_count_users", "SELECT count(*) FROM auth.users"};

Result<UserRecord> read_user(const PGresult* r, int row) {
  auto id = uuid_col(r, row, 0);
  if (!id) return fail(corrupt_row("users.id"));
  UserRecord u;
  u.id = UserId{*id};
  u.email = text(r, row, 1);
  u.password_hash = text(r, row, 2);
  u.created_at = int64(r, row, 3);
  u.updated_at = int64(r, row, 4);
  u.user_metadata = text(r, row, 5);
  u.app_metadata = text(r, row, 6);
  u.phone = opt_text(r, row, 7);
  u.email_confirmed_at = opt_int64(r, row, 8);
  u.last_sign_in_at = opt_int64(r, row, 9);
  u.banned_until = opt_int64(r, row, 10);
  return u;
}

const char* flag(bool b) { return b ? "true" : "false"; }

class PgUsers final : public UserStore {
 public:
  explicit PgUsers(PgDatabase& db) : db_(db) {}

  Result<UserRecord> create_user(const NewUser& user, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    // Folded here too, so the UNIQUE constraint is case-insensitive even if a caller forgets.
    auto r = (*lease)->run(
        kInsertUser,
        Params{user.id.str(), core::ascii_lower(user.email), user.password_hash,
               std::to_string(now), user.user_metadata, user.app_metadata, user.phone,
               opt_micros(user.email_confirmed_at), opt_micros(user.banned_until)});
    if (!r) return fail(std::move(r).error());
    return read_user(r->get(), 0);
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

  Result<UserRecord> update_user(UserId id, const UserPatch& p, core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    std::optional<std::string> email;
    if (p.email) email = core::ascii_lower(*p.email);
    auto r = (*lease)->run(
        kUpdateUser,
        Params{id.str(), email, p.password_hash, p.user_metadata, p.app_metadata,
               p.phone ? *p.phone : std::nullopt,
               p.email_confirmed_at ? opt_micros(*p.email_confirmed_at) : std::nullopt,
               p.banned_until ? opt_micros(*p.banned_until) : std::nullopt, std::to_string(now),
               std::string(flag(p.phone.has_value())),
               std::string(flag(p.email_confirmed_at.has_value())),
               std::string(flag(p.banned_until.has_value()))});
    if (!r) return fail(std::move(r).error());
    if (PQntuples(r->get()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
    return read_user(r->get(), 0);
  }

  Result<void> delete_user(UserId id) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    // Foreign keys cascade to sessions, refresh tokens and items.
    auto r = (*lease)->run(kDeleteUser, Params{id.str()});
    if (!r) return fail(std::move(r).error());
    if (affected_rows(r->get()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
    return {};
  }

  Result<UserPage> list_users(int64_t limit, int64_t offset) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(kListUsers, Params{std::to_string(limit), std::to_string(offset)});
    if (!r) return fail(std::move(r).error());
    const PGresult* res = r->get();
    UserPage page;
    const int total_col = 11;
    for (int row = 0; row < PQntuples(res); ++row) {
      page.total = int64(res, row, total_col);
      auto u = read_user(res, row);
      if (!u) return fail(std::move(u).error());
      page.users.push_back(std::move(*u));
    }
    if (page.users.empty()) {
      // Past the last page: no row carried the total.
      auto n = (*lease)->run(kCountUsers);
      if (!n) return fail(std::move(n).error());
      page.total = int64(n->get(), 0, 0);
    }
    return page;
  }

 private:
  Result<UserRecord> find_with(const Statement& st, std::string key) {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    auto r = (*lease)->run(st, Params{std::move(key)});
    if (!r) return fail(std::move(r).error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return fail(Error::of(Errc::not_found, "user not found"));
    return read_user(res, 0);
  }

  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_users(PgDatabase& db) { return std::make_unique<PgUsers>(db); }

}  // namespace latchkey::store::postgres
