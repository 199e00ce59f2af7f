// UserStore on SQLite. Reads use the pooled connections; writes are group-commit jobs.
#include "core/ascii.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kUserColumns = "id, email, full_name, password_hash, created_at";

Result<UserRecord> read_user(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  if (!id) return fail(corrupt_row("users.id"));
  return UserRecord{UserId{*id}, q.text(1), q.opt_text(2), q.text(3), q.int64(4)};
}

Result<UserRecord> insert_user(Connection& c, const UserRecord& rec) {
  auto q = c.query(
      "INSERT INTO users(id, email, full_name, password_hash, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!q) return fail(std::move(q).error());
  q->bind(1, rec.id.str()).bind(2, rec.email).bind(3, rec.full_name);
  q->bind(4, rec.password_hash).bind(5, rec.created_at);
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return rec;
}

class SqliteUsers final : public UserStore {
 public:
  explicit SqliteUsers(SqliteDatabase& db) : db_(db) {}

  Result<UserRecord> create_user(const NewUser& user, core::Micros now) override {
    // Folded here too, so the UNIQUE constraint is case-insensitive even if a caller forgets.
    UserRecord rec{user.id, core::ascii_lower(user.email), user.full_name, user.password_hash, now};
    return db_.write([&](Connection& c) { return insert_user(c, rec); });
  }

  Result<UserRecord> find_user_by_email(std::string_view email) override {
    static const std::string sql =
        std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?1";
    return find_where(sql, core::ascii_lower(email));
  }

  Result<UserRecord> find_user(UserId id) override {
    static const std::string sql =
        std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1";
    return find_where(sql, id.str());
  }

  Result<void> set_password_hash(UserId id, std::string_view phc_hash) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto q = c.query("UPDATE users SET password_hash = ?2 WHERE id = ?1");
      if (!q) return fail(std::move(q).error());
      if (auto r = q->bind(1, id.str()).bind(2, phc_hash).run(); !r) return r;
      if (sqlite3_changes(c.db()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
      return {};
    });
  }

 private:
  Result<UserRecord> find_where(const std::string& sql, std::string_view key) {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    auto q = (*lease)->query(sql);
    if (!q) return fail(std::move(q).error());
    q->bind(1, key);
    auto row = q->step();
    if (!row) return fail(std::move(row).error());
    if (!*row) return fail(Error::of(Errc::not_found, "user not found"));
    return read_user(*q);
  }

  SqliteDatabase& db_;
};

}  // namespace

std::unique_ptr<UserStore> make_users(SqliteDatabase& db) {
  return std::make_unique<SqliteUsers>(db);
}

}  // namespace latchkey::store::sqlite
