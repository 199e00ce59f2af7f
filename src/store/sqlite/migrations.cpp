#include "store/sqlite/migrations.hpp"

#include <iterator>
#include <string>

namespace latchkey::store::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: never edit a migration that has shipped, add a new version instead.
// Times are microseconds since the epoch; ids are canonical lower-case UUID text.
// STRICT tables make SQLite reject a value of the wrong type instead of storing it.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  full_name TEXT,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX sessions_user_id ON sessions(user_id);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT;
CREATE INDEX refresh_tokens_session_id ON refresh_tokens(session_id);

-- Every user's rows. Store code reaches it only through the per-connection TEMP view
-- `user_data` (see connection.hpp), which PostgreSQL would call the RLS-protected table.
CREATE TABLE user_data_all (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  metadata TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX user_data_all_owner_newest ON user_data_all(user_id, created_at DESC, id DESC);
)sql"},
    // Version 2 exists only on PostgreSQL (its attempt counters); SQLite keeps them in memory.
    {3, R"sql(
-- The Supabase Auth user model. The tutorial's full_name moves into user_metadata (as
-- Supabase stores sign-up data), so that one value is seen and changed by both surfaces.
ALTER TABLE users ADD COLUMN user_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN app_metadata TEXT NOT NULL
  DEFAULT '{"provider":"email","providers":["email"]}';
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN email_confirmed_at INTEGER;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;
ALTER TABLE users ADD COLUMN banned_until INTEGER;
ALTER TABLE users ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
-- Users registered so far were signed in at once (auto-confirmed).
UPDATE users SET user_metadata = CASE WHEN full_name IS NULL THEN '{}'
                                      ELSE json_object('full_name', full_name) END,
                 updated_at = created_at, email_confirmed_at = created_at;
ALTER TABLE users DROP COLUMN full_name;
CREATE INDEX users_newest ON users(created_at DESC, id DESC);
)sql"},
    {4, R"sql(
-- The table rules PostgreSQL enforces for every surface, enforced here too: metadata is a
-- JSON object or NULL (PostgreSQL: CHECK user_data_metadata_object), a title has at most
-- 255 characters (PostgreSQL: varchar(255)). SQLite cannot add a CHECK to a table, so the
-- table is rebuilt; nothing references user_data_all, and the rows it holds were written
-- through the API, which only ever stored objects. A row that breaks a rule stops the
-- migration (and the start) instead of being changed silently.
CREATE TABLE user_data_all_v4 (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL CONSTRAINT user_data_title_length CHECK (length(title) <= 255),
  content TEXT NOT NULL,
  -- Stores write canonical JSON (no leading space), so an object is a text starting with
  -- `{`. Not json_type(): with an untrusted schema (connection.cpp) only functions SQLite
  -- marks innocuous may run in a CHECK, and the JSON functions are not.
  metadata TEXT CONSTRAINT user_data_metadata_object CHECK (
    metadata IS NULL OR substr(metadata, 1, 1) = '{'),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO user_data_all_v4 (id, user_id, title, content, metadata, created_at, updated_at)
  SELECT id, user_id, title, content, metadata, created_at, updated_at FROM user_data_all;
DROP TABLE user_data_all;
ALTER TABLE user_data_all_v4 RENAME TO user_data_all;
CREATE INDEX user_data_all_owner_newest ON user_data_all(user_id, created_at DESC, id DESC);
)sql"},
    {5, R"sql(
-- The codes and links of account mails, stored only as hashes. At most one per user and
-- purpose is unspent: issuing one spends the others.
CREATE TABLE one_time_tokens (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL
    CHECK (purpose IN ('signup', 'recovery', 'email_change', 'magiclink')),
  email TEXT NOT NULL,
  link_hash TEXT NOT NULL UNIQUE,
  code_hash TEXT NOT NULL,
  redirect_to TEXT NOT NULL DEFAULT '',
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  spent_at INTEGER
) STRICT;
CREATE INDEX one_time_tokens_live_by_email ON one_time_tokens(purpose, email)
  WHERE spent_at IS NULL;
CREATE INDEX one_time_tokens_live_by_user ON one_time_tokens(user_id, purpose)
  WHERE spent_at IS NULL;

-- Mail waiting for the courier, written in the transaction that issues its token.
CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  sent_at INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_by_recipient ON mail_outbox(recipient, kind, created_at);
CREATE INDEX mail_outbox_newest ON mail_outbox(created_at);
)sql"},
    {6, R"sql(
-- How each session was opened (its tokens' amr method, kept across refreshes), and the device
-- and time of its last use: a user's session list.
ALTER TABLE sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password';
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN refreshed_at INTEGER;
)sql"},
    {7, R"sql(
-- A spent refresh token keeps its successor's hash and the successor sealed under the spent
-- token, so a replay within the reuse interval can be answered with the live token.
ALTER TABLE refresh_tokens ADD COLUMN replaced_by TEXT;
ALTER TABLE refresh_tokens ADD COLUMN replaced_by_sealed TEXT;
)sql"},
    {8, R"sql(
-- JWT signing keys. The private part is sealed under the server secret by the application.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  algorithm TEXT NOT NULL CHECK (algorithm IN ('HS256', 'ES256', 'RS256')),
  private_sealed TEXT NOT NULL,
  public_jwk TEXT NOT NULL DEFAULT '',
  origin TEXT NOT NULL CHECK (origin IN ('generated', 'imported')),
  created_at INTEGER NOT NULL,
  signs_from INTEGER,
  retired_at INTEGER
) STRICT;
)sql"},
    {9, R"sql(
-- TOTP factors (secrets sealed under the server secret by the application), their challenges,
-- and the assurance level a session reached.
CREATE TABLE mfa_factors (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  factor_type TEXT NOT NULL CHECK (factor_type IN ('totp')),
  friendly_name TEXT NOT NULL DEFAULT '',
  secret_sealed TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('unverified', 'verified')),
  last_used_step INTEGER NOT NULL DEFAULT -1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_challenged_at INTEGER
) STRICT;
CREATE INDEX mfa_factors_user ON mfa_factors(user_id);
CREATE UNIQUE INDEX mfa_factors_user_name ON mfa_factors(user_id, friendly_name)
  WHERE friendly_name <> '';
CREATE TABLE mfa_challenges (
  id TEXT PRIMARY KEY,
  factor_id TEXT NOT NULL REFERENCES mfa_factors(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  verified_at INTEGER,
  ip TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX mfa_challenges_factor ON mfa_challenges(factor_id);
ALTER TABLE sessions ADD COLUMN mfa_verified_at INTEGER;
ALTER TABLE sessions ADD COLUMN mfa_factor_id TEXT;
)sql"},
};

Result<int> read_version(Connection& c) {
  auto q = c.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!q) return fail(std::move(q).error());
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  return static_cast<int>(q->int64(0));
}

}  // namespace

int latest_schema_version() { return std::prev(std::end(kMigrations))->version; }

Result<int> schema_version(Connection& c) { return read_version(c); }

Result<void> migrate(Connection& c, core::Micros now, int up_to) {
  auto txn = WriteTxn::begin(c);
  if (!txn) return fail(std::move(txn).error());
  if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT");
      !r)
    return r;
  auto current = read_version(c);
  if (!current) return fail(std::move(current).error());

  if (*current > latest_schema_version()) {
    const std::string msg = "database schema version " + std::to_string(*current) +
                            " is newer than this binary supports (" +
                            std::to_string(latest_schema_version()) +
                            "); upgrade latchkey or use another database file";
    return fail(Error::startup(Errc::internal, msg, msg));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *current || m.version > up_to) continue;
    if (auto r = c.exec(m.sql); !r) return r;
    auto ins = c.query("INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)");
    if (!ins) return fail(std::move(ins).error());
    if (auto r = ins->bind(1, int64_t{m.version}).bind(2, now).run(); !r) return r;
  }
  return txn->commit();
}

}  // namespace latchkey::store::sqlite
