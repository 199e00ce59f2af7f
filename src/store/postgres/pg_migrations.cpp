// Schema migrations for PostgreSQL.
//
// Expected setup (once, as a superuser; names are examples):
//
//   CREATE ROLE latchkey_owner LOGIN PASSWORD '...' CREATEROLE;   -- owns the schema
//   CREATE ROLE latchkey_app LOGIN PASSWORD '...' NOSUPERUSER NOBYPASSRLS NOINHERIT;
//                                                                     -- serves requests
//   CREATE DATABASE latchkey OWNER latchkey_owner;
//
// and latchkey configured with database_url = postgres://latchkey_app:...@host/latchkey and
// the owner URL (PgOptions::owner_url) = postgres://latchkey_owner:...@host/latchkey.
// Migrations run as the owner. They create the `auth` schema, public.user_data with row-level
// security forced and the four per-user policies, and the NOLOGIN roles (NOBYPASSRLS) that
// requests switch to: `authenticated` (item requests, and the data API with a user's token),
// `anon` and `service_role` (the data API with those keys; migration 4). CREATEROLE lets the
// owner create those roles (if they do not exist yet) and make the app role a member of
// them; without CREATEROLE, create them beforehand:
//              CREATE ROLE authenticated NOLOGIN NOBYPASSRLS;   -- and anon, service_role
//              GRANT authenticated, anon, service_role TO latchkey_app;
// The app role must not own the tables and must not bypass RLS: it gets plain privileges on
// the auth.* tables, none at all on public.user_data, and reaches user_data only through
// `authenticated` inside a request transaction that carries the owner's claims. NOINHERIT
// (as Supabase's `authenticator`): membership then lets it SET ROLE authenticated without
// holding authenticated's table privileges itself, so outside a request even a session
// that sets claims by hand gets "permission denied" instead of that user's rows.
// With no owner URL, the app role runs the migrations itself and owns everything: RLS still
// holds inside requests (FORCE ROW LEVEL SECURITY, and `authenticated` is not the owner), but
// the defence outside requests is weaker; the server logs a warning.
#include "store/postgres/pg_migrations.hpp"

#include <iterator>

namespace latchkey::store::postgres {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Append-only: never edit a migration that has shipped; add a new one.
constexpr Migration kMigrations[] = {
    {1, "auth schema, user_data with row-level security", R"sql(
CREATE TABLE auth.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,  -- stored lower-cased by the store
  full_name text,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth.sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX idx_sessions_user_id ON auth.sessions (user_id);

-- Refresh tokens are stored only as hashes.
CREATE TABLE auth.refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES auth.sessions(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz
);
CREATE INDEX idx_refresh_tokens_session_id ON auth.refresh_tokens (session_id);

-- As Supabase defines it: the `sub` claim of the request's JWT claims, NULL when no claims
-- are set (outside a request), so every policy below is false there.
CREATE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT nullif(
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', ''
  )::uuid
$$;

CREATE TABLE public.user_data (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  title varchar(255) NOT NULL,
  content text NOT NULL,
  metadata jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_user_data_user_id ON public.user_data (user_id);
CREATE INDEX idx_user_data_created_at ON public.user_data (created_at DESC);
-- Serves the list query (one owner, newest first) without a sort step.
CREATE INDEX idx_user_data_user_created ON public.user_data (user_id, created_at DESC, id DESC);

-- The tutorial's trigger sets updated_at = now(). Here the store sets updated_at to the
-- caller's clock, and the trigger makes it strictly increasing: max(new, old + 1us), so two
-- updates within one clock tick (or after the clock stepped back) still differ. A statement
-- that does not set updated_at gets old + 1us.
CREATE FUNCTION public.update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := GREATEST(NEW.updated_at, OLD.updated_at + interval '1 microsecond');
  RETURN NEW;
END
$$;
CREATE TRIGGER update_user_data_updated_at
  BEFORE UPDATE ON public.user_data
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- Security: FORCE applies the policies to the table owner too; only superusers and
-- BYPASSRLS roles escape them, and latchkey connects as neither.
ALTER TABLE public.user_data ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.user_data FORCE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own data" ON public.user_data
  FOR SELECT USING (auth.uid() = user_id);
CREATE POLICY "Users can insert own data" ON public.user_data
  FOR INSERT WITH CHECK (auth.uid() = user_id);
-- WITH CHECK as well: a row cannot be handed over to another user.
CREATE POLICY "Users can update own data" ON public.user_data
  FOR UPDATE USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
CREATE POLICY "Users can delete own data" ON public.user_data
  FOR DELETE USING (auth.uid() = user_id);

-- The role item requests run as (SET LOCAL ROLE). Roles are cluster-wide, so it may exist.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOBYPASSRLS;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA auth TO authenticated;
GRANT EXECUTE ON FUNCTION auth.uid() TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.user_data TO authenticated;
)sql"},
    {2, "attempt counters for rate limits and login backoff", R"sql(
-- Shared by every node, so limits hold across the cluster. Times are epoch microseconds:
-- only the store's own arithmetic reads them.
CREATE TABLE auth.rate_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_us bigint NOT NULL
);
CREATE INDEX idx_rate_buckets_updated_us ON auth.rate_buckets (updated_us);
CREATE TABLE auth.login_failures (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  blocked_until_us bigint NOT NULL,
  last_failure_us bigint NOT NULL
);
CREATE INDEX idx_login_failures_last_failure_us ON auth.login_failures (last_failure_us);
)sql"},
    {3, "the Supabase Auth user model", R"sql(
-- The tutorial's full_name moves into user_metadata (as Supabase stores sign-up data), so
-- that one value is seen and changed by both surfaces.
ALTER TABLE auth.users
  ADD COLUMN user_metadata jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN app_metadata jsonb NOT NULL DEFAULT '{"provider":"email","providers":["email"]}',
  ADD COLUMN phone text,
  ADD COLUMN email_confirmed_at timestamptz,
  ADD COLUMN last_sign_in_at timestamptz,
  ADD COLUMN banned_until timestamptz,
  ADD COLUMN updated_at timestamptz;
-- Users registered so far were signed in at once (auto-confirmed).
UPDATE auth.users SET
  user_metadata = CASE WHEN full_name IS NULL THEN '{}'::jsonb
                       ELSE jsonb_build_object('full_name', full_name) END,
  updated_at = created_at,
  email_confirmed_at = created_at;
ALTER TABLE auth.users
  ALTER COLUMN updated_at SET NOT NULL,
  ALTER COLUMN updated_at SET DEFAULT now(),
  DROP COLUMN full_name,
  ADD CONSTRAINT users_user_metadata_object CHECK (jsonb_typeof(user_metadata) = 'object'),
  ADD CONSTRAINT users_app_metadata_object CHECK (jsonb_typeof(app_metadata) = 'object');
CREATE INDEX idx_users_newest ON auth.users (created_at DESC, id DESC);
)sql"},
    {4, "data API roles anon and service_role; user_data metadata is an object", R"sql(
-- The roles PostgREST requests run as besides `authenticated` (roles are cluster-wide, so
-- they may exist). NOBYPASSRLS: row-level security decides what each sees.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOBYPASSRLS;
  END IF;
END
$$;
-- What Supabase grants them on this table. USAGE on schema public comes from PUBLIC's
-- default grant (as for `authenticated` in migration 1), which the owner may not be able to
-- re-grant. anon gets the table privileges too: no policy is true for it (auth.uid() is NULL
-- without a sub), so it reads nothing and every insert fails the policy check (42501).
GRANT USAGE ON SCHEMA auth TO anon, service_role;
GRANT EXECUTE ON FUNCTION auth.uid() TO anon, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.user_data TO anon, service_role;

-- Security: in Supabase service_role has BYPASSRLS. Granting that attribute needs a superuser,
-- which the owner role is not, and FORCE ROW LEVEL SECURITY applies policies to everyone
-- else; so service_role gets every row through a policy of its own. Policies of one command
-- are OR-ed, so this widens nothing for the other roles.
CREATE POLICY "Service role has every row" ON public.user_data
  FOR ALL TO service_role USING (true) WITH CHECK (true);

-- As in the tutorial's table: an insert without user_id belongs to the caller.
ALTER TABLE public.user_data ALTER COLUMN user_id SET DEFAULT auth.uid();

-- The tutorial's rule (metadata is a JSON object, or absent), now enforced for every surface.
-- Validating it scans the rows written so far; the API never stored anything else, and a row
-- that breaks it stops the migration rather than being changed.
ALTER TABLE public.user_data ADD CONSTRAINT user_data_metadata_object
  CHECK (metadata IS NULL OR jsonb_typeof(metadata) = 'object');
)sql"},
    {5, "one-time tokens and the mail outbox", R"sql(
-- The codes and links of account mails, stored only as hashes. At most one per user and
-- purpose is unspent: issuing one spends the others.
CREATE TABLE auth.one_time_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  purpose text NOT NULL
    CHECK (purpose IN ('signup', 'recovery', 'email_change', 'magiclink')),
  email text NOT NULL,
  link_hash text NOT NULL UNIQUE,
  code_hash text NOT NULL,
  redirect_to text NOT NULL DEFAULT '',
  failed_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  spent_at timestamptz
);
CREATE INDEX one_time_tokens_live_by_email ON auth.one_time_tokens (purpose, email)
  WHERE spent_at IS NULL;
CREATE INDEX one_time_tokens_live_by_user ON auth.one_time_tokens (user_id, purpose)
  WHERE spent_at IS NULL;

-- Mail waiting for the courier, written in the transaction that issues its token. Any node's
-- courier may send it; a lease (lease_until) keeps the others away meanwhile.
CREATE TABLE auth.mail_outbox (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  recipient text NOT NULL,
  subject text NOT NULL,
  body_text text NOT NULL,
  body_html text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  sent_at timestamptz,
  last_error text NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON auth.mail_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_by_recipient ON auth.mail_outbox (recipient, kind, created_at);
CREATE INDEX mail_outbox_newest ON auth.mail_outbox (created_at);
)sql"},
    {6, "session sign-in method, device and last use", R"sql(
-- How each session was opened (its tokens' amr method, kept across refreshes), and the device
-- and time of its last use: a user's session list.
ALTER TABLE auth.sessions
  ADD COLUMN sign_in_method text NOT NULL DEFAULT 'password',
  ADD COLUMN ip text NOT NULL DEFAULT '',
  ADD COLUMN user_agent text NOT NULL DEFAULT '',
  ADD COLUMN refreshed_at timestamptz;
)sql"},
    {7, "refresh token successors for the reuse interval", R"sql(
-- A spent refresh token keeps its successor's hash and the successor sealed under the spent
-- token, so a replay within the reuse interval can be answered with the live token.
ALTER TABLE auth.refresh_tokens
  ADD COLUMN replaced_by text,
  ADD COLUMN replaced_by_sealed text;
)sql"},
    {8, "JWT signing keys", R"sql(
-- JWT signing keys. The private part is sealed under the server secret by the application.
CREATE TABLE auth.signing_keys (
  kid text PRIMARY KEY,
  algorithm text NOT NULL CHECK (algorithm IN ('HS256', 'ES256', 'RS256')),
  private_sealed text NOT NULL,
  public_jwk text NOT NULL DEFAULT '',
  origin text NOT NULL CHECK (origin IN ('generated', 'imported')),
  created_at timestamptz NOT NULL,
  signs_from timestamptz,
  retired_at timestamptz
);
)sql"},
    {9, "TOTP factors and session assurance", R"sql(
-- TOTP factors (secrets sealed under the server secret by the application), their challenges,
-- and the assurance level a session reached.
CREATE TABLE auth.mfa_factors (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  factor_type text NOT NULL CHECK (factor_type IN ('totp')),
  friendly_name text NOT NULL DEFAULT '',
  secret_sealed text NOT NULL,
  status text NOT NULL CHECK (status IN ('unverified', 'verified')),
  last_used_step bigint NOT NULL DEFAULT -1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_challenged_at timestamptz
);
CREATE INDEX idx_mfa_factors_user_id ON auth.mfa_factors (user_id);
CREATE UNIQUE INDEX idx_mfa_factors_user_name ON auth.mfa_factors (user_id, friendly_name)
  WHERE friendly_name <> '';
CREATE TABLE auth.mfa_challenges (
  id uuid PRIMARY KEY,
  factor_id uuid NOT NULL REFERENCES auth.mfa_factors(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  verified_at timestamptz,
  ip text NOT NULL DEFAULT ''
);
CREATE INDEX idx_mfa_challenges_factor_id ON auth.mfa_challenges (factor_id);
ALTER TABLE auth.sessions
  ADD COLUMN mfa_verified_at timestamptz,
  ADD COLUMN mfa_factor_id uuid;
)sql"},
};

// Any fixed number: every latchkey node takes the same lock (scoped to this database).
constexpr int64_t kMigrationLockKey = 0x6c6174636b6579;  // "latckey"

std::string quote_ident(PgConnection& c, const std::string& name) {
  char* q = PQescapeIdentifier(c.raw(), name.data(), name.size());
  std::string out = q ? q : "\"\"";
  PQfreemem(q);
  return out;
}

// The first column of the first row as text ("" if no row).
Result<std::string> scalar(PgConnection& c, const std::string& sql, Params params = {}) {
  auto r = c.run(Statement{"", sql}, std::move(params));
  if (!r) return fail(std::move(r).error());
  if (PQntuples(r->get()) != 1) return std::string();
  return text(r->get(), 0, 0);
}

// The roles requests run as (SET LOCAL ROLE): the app role must be a member of each.
constexpr const char* kRequestRoles[] = {"authenticated", "anon", "service_role"};

// Grants that depend on the app role's name, so they cannot live in a migration. All
// idempotent; run on every start so that a new app role works without a new migration.
Result<void> grant_app_role(PgConnection& owner, const std::string& app_role) {
  auto me = scalar(owner, "SELECT current_user");
  if (!me) return fail(std::move(me).error());
  const std::string role = quote_ident(owner, app_role);
  std::string sql;
  // Security: membership lets the app role SET ROLE to each request's role; NOINHERIT keeps
  // their privileges (service_role's every row among them) out of its own sessions.
  for (const char* request_role : kRequestRoles) {
    // A role a later migration creates (migrate(up_to) stops early) is granted once it exists.
    auto member = scalar(owner,
                         "SELECT CASE WHEN to_regrole($2) IS NULL THEN 'absent'"
                         " ELSE pg_has_role($1::name, $2::name, 'MEMBER')::text END",
                         Params{app_role, std::string(request_role)});
    if (!member) return fail(std::move(member).error());
    // GRANT needs admin rights on the role even when it would change nothing.
    if (*member == "false") sql += std::string("GRANT ") + request_role + " TO " + role + ";\n";
  }
  if (*me != app_role) {
    sql += "GRANT USAGE ON SCHEMA auth TO " + role + ";\n";
    // The tables the migrations applied so far created (migrate(up_to) stops early in tests).
    auto tables = scalar(owner,
                         "SELECT string_agg(t, ', ') FROM unnest(ARRAY['auth.users', "
                         "'auth.sessions', 'auth.refresh_tokens', 'auth.rate_buckets', "
                         "'auth.login_failures', 'auth.one_time_tokens', 'auth.mail_outbox', "
                         "'auth.signing_keys', 'auth.mfa_factors', 'auth.mfa_challenges']) AS t"
                         " WHERE to_regclass(t) IS NOT NULL");
    if (!tables) return fail(std::move(tables).error());
    sql += "GRANT SELECT, INSERT, UPDATE, DELETE ON " + *tables + " TO " + role + ";\n";
    sql += "GRANT SELECT ON auth.schema_migrations TO " + role + ";\n";
  }
  if (sql.empty()) return {};
  return owner.exec_script(sql);
}

}  // namespace

int latest_schema_version() { return std::prev(std::end(kMigrations))->version; }

Result<int> schema_version(PgConnection& c) {
  auto v = scalar(c,
                  "SELECT CASE WHEN to_regclass('auth.schema_migrations') IS NULL THEN 0"
                  " ELSE (SELECT coalesce(max(version), 0) FROM auth.schema_migrations) END");
  if (!v) return fail(std::move(v).error());
  return std::stoi(*v);
}

// True if no migration is pending and `app_role` already holds every grant. Then migrate()
// needs no lock and no DDL, so a role that may not create anything (the app role, started
// after the owner migrated for it) can still start. Read-only and error-free on any database:
// CASE evaluates its branches in order, so nothing is looked up that does not exist.
Result<bool> nothing_to_do(PgConnection& c, const std::string& app_role) {
  auto readable = scalar(
      c,
      "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') THEN false"
      " WHEN NOT has_schema_privilege('auth', 'USAGE') THEN false"
      " WHEN to_regclass('auth.schema_migrations') IS NULL THEN false"
      " ELSE has_table_privilege('auth.schema_migrations', 'SELECT') END::text");
  if (!readable) return fail(std::move(readable).error());
  if (*readable != "true") return false;
  auto version = schema_version(c);
  if (!version) return fail(std::move(version).error());
  if (*version != latest_schema_version()) return false;
  auto granted = scalar(
      c,
      "SELECT (pg_has_role($1::name, 'authenticated', 'MEMBER')"
      " AND pg_has_role($1::name, 'anon', 'MEMBER')"
      " AND pg_has_role($1::name, 'service_role', 'MEMBER')"
      " AND has_schema_privilege($1::name, 'auth', 'USAGE')"
      " AND (SELECT bool_and(has_table_privilege($1::name, t, 'SELECT,INSERT,UPDATE,DELETE'))"
      "      FROM unnest(ARRAY['auth.users', 'auth.sessions', 'auth.refresh_tokens',"
      "                        'auth.rate_buckets', 'auth.login_failures',"
      "                        'auth.one_time_tokens', 'auth.mail_outbox',"
      "                        'auth.signing_keys', 'auth.mfa_factors',"
      "                        'auth.mfa_challenges']) AS t))::text",
      Params{app_role});
  if (!granted) return fail(std::move(granted).error());
  return *granted == "true";
}

Result<void> migrate(PgConnection& owner, const std::string& app_role, int up_to) {
  auto done_already = nothing_to_do(owner, app_role);
  if (!done_already) return fail(std::move(done_already).error());
  if (*done_already) return {};

  auto step = [&]() -> Result<void> {
    if (auto r =
            owner.exec_script("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) +
                              ");\n"
                              "CREATE SCHEMA IF NOT EXISTS auth;\n"
                              "CREATE TABLE IF NOT EXISTS auth.schema_migrations (\n"
                              "  version integer PRIMARY KEY,\n"
                              "  name text NOT NULL,\n"
                              "  applied_at timestamptz NOT NULL DEFAULT now());");
        !r)
      return r;
    auto current = schema_version(owner);
    if (!current) return fail(std::move(current).error());
    if (*current > latest_schema_version())
      return fail(Error::startup(Errc::internal, "Database schema is newer than this binary", "postgres: schema version " + std::to_string(*current) + ", this binary knows " +
                      std::to_string(latest_schema_version())));
    for (const Migration& m : kMigrations) {
      if (m.version <= *current || m.version > up_to) continue;
      if (auto r = owner.exec_script(m.sql); !r) {
        Error e = std::move(r).error();
        e.detail += " (migration " + std::to_string(m.version) + ")";
        return fail(std::move(e));
      }
      auto recorded = owner.run(Statement{"",
                                          "INSERT INTO auth.schema_migrations (version, name)"
                                          " VALUES ($1::int, $2)"},
                                Params{std::to_string(m.version), std::string(m.name)});
      if (!recorded) return fail(std::move(recorded).error());
    }
    return grant_app_role(owner, app_role);
  };

  if (auto r = owner.exec_script("BEGIN"); !r) return r;
  auto done = step();
  // All or nothing: a failed migration leaves the database as it was.
  if (auto r = owner.exec_script(done ? "COMMIT" : "ROLLBACK"); !r && done) return r;
  return done;
}

}  // namespace latchkey::store::postgres
