#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"

namespace latchkey::app {

// Everything `latchkey serve` can be told, from flags, LATCHKEY_* environment variables or a
// .env file (in that order of precedence).
struct Config {
  std::string listen = "127.0.0.1:8000";
  std::string data_dir = "latchkey-data";
  std::string database_url;  // empty: sqlite:<data_dir>/latchkey.db
  // PostgreSQL: the role that owns the schema and runs migrations; empty: database_url.
  std::string database_owner_url;
  bool migrate = true;  // apply pending migrations at start (PostgreSQL; SQLite always does)
  std::string jwt_issuer = "latchkey";
  // Algorithm of the signing keys latchkey makes (at first start, and `keys rotate`).
  std::string jwt_algorithm = "HS256";
  int64_t access_token_ttl_s = 3600;
  int64_t refresh_token_ttl_s = 30 * 24 * 3600;
  int64_t refresh_reuse_interval_s = 0;
  int64_t jwt_leeway_s = 30;
  uint32_t argon2_memory_kib = 19 * 1024;
  uint32_t argon2_iterations = 2;
  std::vector<std::string> cors_origins;
  std::vector<std::string> trusted_proxies;  // load balancers whose X-Forwarded-For is believed
  double auth_attempts_per_minute = 60;      // register/login/refresh per client address
  int login_free_failures = 5;               // per email before backoff
  int login_max_backoff_s = 900;
  core::LogFormat log_format = core::LogFormat::text;
  core::LogLevel log_level = core::LogLevel::info;
  size_t io_threads = 0;    // 0: one per core
  size_t hash_threads = 0;  // 0: one per core
  size_t hash_queue = 64;   // logins waiting for a hashing thread before 503
  size_t db_threads = 0;  // 0: 32 on SQLite (they mostly wait for a group commit), 8 on PostgreSQL
  size_t db_queue = 4096;
  size_t max_body_bytes = 1 << 20;
  size_t max_connections = 20000;       // lowered at start to fit the descriptor limit
  size_t max_connections_per_ip = 256;  // per client address (IPv4, or IPv6 /64)

  // Account mail (confirmation, recovery, email change, magic link).
  bool mailer_autoconfirm = true;         // true: sign-up confirms at once (the tutorial contract)
  std::string product_name = "latchkey";  // in mail subjects and texts
  std::string external_url;  // latchkey's public URL, for links in mails; empty: the listener's
  std::string site_url;      // the app's URL, where verification lands; empty: external_url
  std::vector<std::string> redirect_urls;  // allowed redirect_to values (exact, or prefix**)
  std::string smtp_url;  // smtp:// or smtps://; empty: mail stays in the outbox (mail list)
  std::string smtp_from = "latchkey <noreply@localhost>";
  std::string smtp_user;  // AUTH; the password comes from LATCHKEY_SMTP_PASSWORD only
  bool smtp_require_starttls = false;
  std::string smtp_ca_file;           // empty: the system's CA store
  int64_t smtp_timeout_s = 60;        // one delivery, start to end (connecting: 10 s at most)
  std::string mail_templates_dir;     // <kind>.subject / .txt / .html overriding the built-in ones
  int64_t mail_min_interval_s = 60;   // between two mails of one kind to one address
  int64_t mail_hourly_cap = 1000;     // mails queued per hour by the whole instance
  int64_t confirm_ttl_s = 24 * 3600;  // sign-up confirmation links and codes
  int64_t otp_ttl_s = 3600;           // recovery, magic link, email change
  int mail_code_attempts = 5;         // wrong codes before a mail's code is dead
  int mail_max_attempts = 8;          // delivery tries before a mail is dead
  int64_t mail_retry_delay_s = 30;    // before the first retry; doubles after each failure

  // The JWT secret is deliberately not a flag (flags show in `ps`); see resolve_jwt_secret.
};

struct Listen {
  std::string host;
  uint16_t port = 0;
};
// "host:port" or "[v6]:port"; invalid_input with a message on anything else.
Result<Listen> parse_listen(std::string_view text);

// The connections `latchkey serve` can keep open at once: `configured`, or fewer if the
// open-file limit leaves less once `reserved` descriptors are set aside for everything else
// (database, files, the server's own); never below 1.
size_t effective_max_connections(size_t configured, uint64_t descriptor_limit, uint64_t reserved);

// Reads KEY=VALUE lines of `path` (as python-dotenv does: comments, `export `, quotes) into
// the environment without overriding variables already set. ok if the file does not exist.
Result<void> load_dotenv(const std::string& path);

// LATCHKEY_JWT_SECRET, else SECRET_KEY (the tutorial's name), else <data_dir>/jwt_secret,
// created with 32 random bytes and mode 0600 on first start. invalid_input, with advice, for a
// secret shorter than 32 bytes.
Result<std::string> resolve_jwt_secret(const std::string& data_dir);

// sqlite:PATH, sqlite://PATH or a bare path -> the SQLite file path.
struct DatabaseTarget {
  enum class Kind { sqlite, postgres } kind = Kind::sqlite;
  std::string location;
};
Result<DatabaseTarget> parse_database_url(const Config& config);

}  // namespace latchkey::app
