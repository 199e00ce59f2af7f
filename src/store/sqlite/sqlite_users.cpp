// UserStore on SQLite. Reads use the pooled connections; writes are group-commit jobs.
#include "core/ascii.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "store/text_rules.hpp"

namespace latchkey::store::sqlite {
namespace {

#define LK_USER_COLUMNS                                                                  \
  "id, email, password_hash, created_at, updated_at, user_metadata, app_metadata, phone, " \
  "email_confirmed_at, last_sign_in_at, banned_until"

Result<UserRecord> read_user(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  if (!id) return fail(corrupt_row("users.id"));
  UserRecord u;
  u.id = UserId{*id};
  u.email = q.text(1);
  u.password_hash = q.text(2);
  u.created_at = q.int64(3);
  u.updated_at = q.int64(4);
  u.user_metadata = q.text(5);
  u.app_metadata = q.text(6);
  u.phone = q.opt_text(7);
  u.email_confirmed_at = q.opt_int64(8);
  u.last_sign_in_at = q.opt_int64(9);
  u.banned_until = q.opt_int64(10);
  return u;
}

// The backstop of text_rules.hpp for the JSON columns (plain text is checked by bind).
std::optional<Error> nul_in_metadata(const std::optional<std::string>& user,
                                     const std::optional<std::string>& app) {
  if (auto e = nul_in_json(user, "sqlite: user_metadata")) return e;
  return nul_in_json(app, "sqlite: app_metadata");
}

Result<UserRecord> insert_user(Connection& c, const UserRecord& u) {
  auto q = c.query("INSERT INTO users(" LK_USER_COLUMNS
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!q) return fail(std::move(q).error());
  q->bind(1, u.id.str()).bind(2, u.email).bind(3, u.password_hash).bind(4, u.created_at);
  q->bind(5, u.updated_at).bind(6, u.user_metadata).bind(7, u.app_metadata).bind(8, u.phone);
  q->bind(9, u.email_confirmed_at).bind(10, u.last_sign_in_at).bind(11, u.banned_until);
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return u;
}

Result<UserRecord> select_user(Connection& c, const char* sql, std::string_view key) {
  auto q = c.query(sql);
  if (!q) return fail(std::move(q).error());
  q->bind(1, key);
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return fail(Error::of(Errc::not_found, "user not found"));
  return read_user(*q);
}

constexpr const char* kUserById = "SELECT " LK_USER_COLUMNS " FROM users WHERE id = ?1";
constexpr const char* kUserByEmail = "SELECT " LK_USER_COLUMNS " FROM users WHERE email = ?1";

// Read-modify-write inside the writer's job: jobs are serialized, so nothing changes between.
Result<UserRecord> patch_user(Connection& c, UserId id, const UserPatch& p, core::Micros now) {
  auto u = select_user(c, kUserById, id.str());
  if (!u) return u;
  if (p.email) u->email = core::ascii_lower(*p.email);
  if (p.password_hash) u->password_hash = *p.password_hash;
  if (p.user_metadata) u->user_metadata = *p.user_metadata;
  if (p.app_metadata) u->app_metadata = *p.app_metadata;
  if (p.phone) u->phone = *p.phone;
  if (p.email_confirmed_at) u->email_confirmed_at = *p.email_confirmed_at;
  if (p.banned_until) u->banned_until = *p.banned_until;
  u->updated_at = now;
  auto q = c.query(
      "UPDATE users SET email = ?2, password_hash = ?3, user_metadata = ?4, app_metadata = ?5,"
      " phone = ?6, email_confirmed_at = ?7, banned_until = ?8, updated_at = ?9 WHERE id = ?1");
  if (!q) return fail(std::move(q).error());
  q->bind(1, id.str()).bind(2, u->email).bind(3, u->password_hash).bind(4, u->user_metadata);
  q->bind(5, u->app_metadata).bind(6, u->phone).bind(7, u->email_confirmed_at);
  q->bind(8, u->banned_until).bind(9, now);
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return u;
}

class SqliteUsers final : public UserStore {
 public:
  explicit SqliteUsers(SqliteDatabase& db) : db_(db) {}

  Result<UserRecord> create_user(const NewUser& user, core::Micros now) override {
    if (auto e = nul_in_metadata(user.user_metadata, user.app_metadata)) return fail(std::move(*e));
    UserRecord u;
    u.id = user.id;
    // Folded here too, so the UNIQUE constraint is case-insensitive even if a caller forgets.
    u.email = core::ascii_lower(user.email);
    u.password_hash = user.password_hash;
    u.created_at = u.updated_at = now;
    u.user_metadata = user.user_metadata;
    u.app_metadata = user.app_metadata;
    u.phone = user.phone;
    u.email_confirmed_at = user.email_confirmed_at;
    u.banned_until = user.banned_until;
    return db_.write([&](Connection& c) { return insert_user(c, u); });
  }

  Result<UserRecord> find_user_by_email(std::string_view email) override {
    return find(kUserByEmail, core::ascii_lower(email));
  }

  Result<UserRecord> find_user(UserId id) override { return find(kUserById, id.str()); }

  Result<void> set_password_hash(UserId id, std::string_view phc_hash) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto q = c.query("UPDATE users SET password_hash = ?2 WHERE id = ?1");
      if (!q) return fail(std::move(q).error());
      if (auto r = q->bind(1, id.str()).bind(2, phc_hash).run(); !r) return r;
      if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
      return {};
    });
  }

  Result<UserRecord> update_user(UserId id, const UserPatch& patch, core::Micros now) override {
    if (auto e = nul_in_metadata(patch.user_metadata, patch.app_metadata))
      return fail(std::move(*e));
    return db_.write([&](Connection& c) { return patch_user(c, id, patch, now); });
  }

  Result<void> delete_user(UserId id) override {
    return db_.write([&](Connection& c) -> Result<void> {
      // Foreign keys cascade to sessions, refresh tokens and items.
      auto q = c.query("DELETE FROM users WHERE id = ?1");
      if (!q) return fail(std::move(q).error());
      if (auto r = q->bind(1, id.str()).run(); !r) return r;
      if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
      return {};
    });
  }

  Result<UserPage> list_users(int64_t limit, int64_t offset) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    Connection& c = **lease;
    // One read transaction: the page and the total come from the same snapshot.
    if (auto r = c.exec("BEGIN"); !r) return fail(std::move(r).error());
    auto page = read_page(c, limit, offset);
    (void)c.exec("COMMIT");
    if (!sqlite3_get_autocommit(c.db())) (void)c.exec("ROLLBACK");  // never pool a snapshot
    return page;
  }

 private:
  Result<UserRecord> find(const char* sql, std::string_view key) {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    return select_user(**lease, sql, key);
  }

  static Result<UserPage> read_page(Connection& c, int64_t limit, int64_t offset) {
    UserPage page;
    auto q = c.query("SELECT " LK_USER_COLUMNS
                     " FROM users ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2");
    if (!q) return fail(std::move(q).error());
    q->bind(1, limit).bind(2, offset);
    for (;;) {
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (!*row) break;
      auto u = read_user(*q);
      if (!u) return fail(std::move(u).error());
      page.users.push_back(std::move(*u));
    }
    auto n = c.query("SELECT count(*) FROM users");
    if (!n) return fail(std::move(n).error());
    auto row = n->step();
    if (!row) return fail(std::move(row).error());
    page.total = n->int64(0);
    return page;
  }

  SqliteDatabase& db_;
};

#undef LK_USER_COLUMNS

}  // namespace

std::unique_ptr<UserStore> make_users(SqliteDatabase& db) {
  return std::make_unique<SqliteUsers>(db);
}

}  // namespace latchkey::store::sqlite
