// Opening the PostgreSQL store: migrations or the version check, and warnings about a login
// role that weakens row-level security.
#include "store/postgres/pg_store.hpp"

#include "core/log.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/pg_migrations.hpp"

namespace latchkey::store::postgres {
namespace {

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
  return fail(Error::startup(Errc::internal,
                             "Database schema is not current; run `latchkey migrate`",
                             "postgres: schema version " + std::to_string(*version) +
                                 ", expected " + std::to_string(latest_schema_version())));
}

}  // namespace

Result<std::unique_ptr<Store>> open_pg_store(const PgOptions& options) {
  if (options.url.empty())
    return fail(Error::startup(Errc::internal, "PostgreSQL URL is empty", "postgres: empty url"));
  if (options.pool_size == 0)
    return fail(Error::startup(Errc::internal, "PostgreSQL pool size must be at least 1",
                               "postgres: pool 0"));
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
  auto db = std::make_unique<PgDatabase>(options, std::move(*first));
  Store::Parts parts;
  parts.users = make_users(*db);
  parts.sessions = make_sessions(*db);
  parts.items = make_items(*db);
  parts.rows = make_rows(*db, core::system_random());
  parts.mail = make_mail(*db, core::system_random());
  parts.signing_keys = make_signing_keys(*db);
  parts.factors = make_factors(*db);
  // In the database, so that every node serving it enforces one limit.
  parts.attempts = make_attempts(*db);
  parts.db = std::move(db);
  return std::make_unique<Store>(std::move(parts));
}

}  // namespace latchkey::store::postgres
