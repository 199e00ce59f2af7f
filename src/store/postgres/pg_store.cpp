// Opening the PostgreSQL store, ping, and the UserStore part. The auth.* tables are the
// login role's own business (no RLS there): these statements run as the login role.
#include "store/postgres/pg_store.hpp"

#include "core/ascii.hpp"
#include "core/log.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/postgres/pg_store_impl.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kUserColumns = "id, email, full_name, password_hash, " + micros_col("created_at");

const Statement kPing{"lk_ping", "SELECT 1"};
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

Result<UserRecord> find_user_with(ConnectionPool& pool, const Statement& st, std::string key) {
  auto lease = pool.acquire();
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

// Who the store connects as, and whether that role weakens row-level security outside
// request transactions.
struct AppRole {
  std::string name;
  bool escapes_rls = false;  // superuser, BYPASSRLS or owner of public.user_data
  bool inherits = false;     // holds `authenticated`'s table privileges without SET ROLE
};

Result<AppRole> describe_app_role(PgConnection& c) {
  auto r =
      c.run(Statement{"",
                      "SELECT current_user::text, r.rolsuper OR r.rolbypassrls OR coalesce("
                      "  (SELECT t.tableowner = current_user FROM pg_tables t"
                      "   WHERE t.schemaname = 'public' AND t.tablename = 'user_data'), false),"
                      " r.rolinherit FROM pg_roles r WHERE r.rolname = current_user"});
  if (!r) return fail(std::move(r).error());
  if (PQntuples(r->get()) != 1) return fail(corrupt_row("pg_roles"));
  return AppRole{text(r->get(), 0, 0), text(r->get(), 0, 1) == "t", text(r->get(), 0, 2) == "t"};
}

Result<void> apply_migrations(const PgOptions& options, PgConnection& app, const AppRole& role) {
  if (options.owner_url.empty()) return migrate(app, role.name);
  auto owner = PgConnection::open(options.owner_url, options.connect_timeout_s, 0,
                                  options.statement_observer);
  if (!owner) return fail(std::move(owner).error());
  return migrate(**owner, role.name);
}

Result<void> check_schema_current(PgConnection& app) {
  auto version = schema_version(app);
  if (!version) return fail(std::move(version).error());
  if (*version == latest_schema_version()) return {};
  return fail(Error::startup(Errc::internal, "Database schema is not current; run `latchkey migrate`",
              "postgres: schema version " + std::to_string(*version) + ", expected " +
                  std::to_string(latest_schema_version())));
}

}  // namespace

std::string ts_param(std::string_view param) {
  return "('epoch'::timestamptz + " + std::string(param) + "::int8 * interval '1 microsecond')";
}

std::string micros_col(std::string_view column) {
  return "(extract(epoch FROM " + std::string(column) + ") * 1000000)::int8";
}

std::optional<core::Uuid> uuid_col(const PGresult* r, int row, int col) {
  return core::Uuid::parse(
      std::string_view(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col))));
}

Error corrupt_row(std::string_view what) {
  return Error::of(Errc::internal, "postgres: malformed value in " + std::string(what));
}

Result<std::unique_ptr<Store>> open_pg_store(const PgOptions& options) {
  if (options.url.empty())
    return fail(Error::startup(Errc::internal, "PostgreSQL URL is empty", "postgres: empty url"));
  if (options.pool_size == 0)
    return fail(Error::startup(Errc::internal, "PostgreSQL pool size must be at least 1", "postgres: pool 0"));
  auto first =
      PgConnection::open(options.url, options.connect_timeout_s, 0, options.statement_observer);
  if (!first) return fail(std::move(first).error());
  auto role = describe_app_role(**first);
  if (!role) return fail(std::move(role).error());

  auto ready = options.apply_migrations ? apply_migrations(options, **first, *role)
                                        : check_schema_current(**first);
  if (!ready) return fail(std::move(ready).error());

  // Requests are confined either way (they run as `authenticated` with the owner's
  // claims); these setups only widen what other SQL run as this role could read.
  if (auto after = describe_app_role(**first); after && after->escapes_rls) {
    core::log_event(core::LogLevel::warn,
                    "postgres login role is a superuser, has BYPASSRLS or owns user_data;"
                    " use a separate owner role (owner URL) for migrations",
                    {{"role", after->name}});
  } else if (after && after->inherits) {
    core::log_event(core::LogLevel::warn,
                    "postgres login role has INHERIT; make it NOINHERIT so that it reaches"
                    " user_data only through SET ROLE authenticated",
                    {{"role", after->name}});
  }
  // The first connection ran the (unbounded) migrations; from now on it serves requests.
  if (auto r = (*first)->set_statement_timeout(options.statement_timeout_ms); !r)
    return fail(std::move(r).error());
  return std::unique_ptr<Store>(new PgStore(options, std::move(*first)));
}

PgStore::PgStore(const PgOptions& options, std::unique_ptr<PgConnection> first)
    : pool_(
          "postgres", {options.pool_size, options.acquire_timeout_ms},
          [url = options.url, connect_s = options.connect_timeout_s,
           statement_ms = options.statement_timeout_ms, observer = options.statement_observer] {
            return PgConnection::open(url, connect_s, statement_ms, observer);
          },
          [](PgConnection& c) {
            // Store methods always end their transaction; one left open (a bug, or a failure
            // between BEGIN and COMMIT) would carry its locks and its role into the next
            // caller's work, so such a connection is closed rather than reused.
            if (c.broken()) return Returned::close_idle;
            return c.in_transaction() ? Returned::close : Returned::reuse;
          },
          std::move(first)) {}

Result<void> PgStore::ping() {
  auto lease = pool_.acquire();
  if (!lease) return fail(std::move(lease).error());
  auto r = (*lease)->run(kPing);
  if (!r) return fail(std::move(r).error());
  return {};
}

Result<UserRecord> PgStore::create_user(const NewUser& user, core::Micros now) {
  auto lease = pool_.acquire();
  if (!lease) return fail(std::move(lease).error());
  // Folded here too, so the UNIQUE constraint is case-insensitive even if a caller forgets.
  UserRecord rec{user.id, core::ascii_lower(user.email), user.full_name, user.password_hash, now};
  auto r = (*lease)->run(kInsertUser, Params{rec.id.str(), rec.email, rec.full_name,
                                             rec.password_hash, std::to_string(now)});
  if (!r) return fail(std::move(r).error());
  return rec;
}

Result<UserRecord> PgStore::find_user_by_email(std::string_view email) {
  return find_user_with(pool_, kUserByEmail, core::ascii_lower(email));
}

Result<UserRecord> PgStore::find_user(UserId id) {
  return find_user_with(pool_, kUserById, id.str());
}

Result<void> PgStore::set_password_hash(UserId id, std::string_view phc_hash) {
  auto lease = pool_.acquire();
  if (!lease) return fail(std::move(lease).error());
  auto r = (*lease)->run(kSetPasswordHash, Params{id.str(), std::string(phc_hash)});
  if (!r) return fail(std::move(r).error());
  if (affected_rows(r->get()) == 0) return fail(Error::of(Errc::not_found, "user not found"));
  return {};
}

}  // namespace latchkey::store::postgres
