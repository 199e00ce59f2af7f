#include "app/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/keys.hpp"
#include "app/mail_list.hpp"
#include "app/serve.hpp"

namespace latchkey::app {
namespace {

void add_mail_options(CLI::App& cli, Config& c);

void add_options(CLI::App& cli, Config& c) {
  cli.option_defaults()->always_capture_default();
  cli.add_option("--listen", c.listen, "Address to serve on, HOST:PORT (port 0: any free port)")
      ->envname("LATCHKEY_LISTEN");
  cli.add_option("--data-dir", c.data_dir,
                 "Directory for the SQLite database and the generated secret")
      ->envname("LATCHKEY_DATA_DIR");
  cli.add_option("--database-url", c.database_url,
                 "Database: sqlite:PATH (default: sqlite:<data-dir>/latchkey.db)")
      ->envname("LATCHKEY_DATABASE_URL");
  cli.add_option("--database-owner-url", c.database_owner_url,
                 "PostgreSQL: URL of the role that owns the schema, used only for migrations")
      ->envname("LATCHKEY_DATABASE_OWNER_URL");
  cli.add_flag("!--no-migrate", c.migrate,
               "PostgreSQL: do not apply migrations at start (run `latchkey migrate` instead)")
      ->envname("LATCHKEY_NO_MIGRATE");
  cli.add_option("--jwt-issuer", c.jwt_issuer, "iss claim of access tokens")
      ->envname("LATCHKEY_JWT_ISSUER");
  cli.add_option("--jwt-algorithm", c.jwt_algorithm,
                 "HS256 (the server secret signs), ES256 or RS256 (a key pair made at first "
                 "start, published at /.well-known/jwks.json)")
      ->envname("LATCHKEY_JWT_ALGORITHM")
      ->check(CLI::IsMember({"HS256", "ES256", "RS256"}));
  cli.add_option("--access-token-ttl", c.access_token_ttl_s, "Access token lifetime, seconds")
      ->envname("LATCHKEY_ACCESS_TOKEN_TTL")
      ->check(CLI::Range(int64_t(1), int64_t(7 * 24 * 3600)));
  cli.add_option("--refresh-token-ttl", c.refresh_token_ttl_s,
                 "Session (refresh token) lifetime, seconds")
      ->envname("LATCHKEY_REFRESH_TOKEN_TTL")
      ->check(CLI::Range(int64_t(60), int64_t(365LL * 24 * 3600)));
  cli.add_option("--refresh-reuse-interval", c.refresh_reuse_interval_s,
                 "Seconds after a refresh during which replaying the spent refresh token returns "
                 "the live one instead of ending the session (0: never)")
      ->envname("LATCHKEY_REFRESH_REUSE_INTERVAL")
      ->check(CLI::Range(int64_t(0), int64_t(3600)));
  cli.add_option("--jwt-leeway", c.jwt_leeway_s, "Clock skew tolerated on exp/nbf/iat, seconds")
      ->envname("LATCHKEY_JWT_LEEWAY")
      ->check(CLI::Range(int64_t(0), int64_t(300)));
  cli.add_option("--argon2-memory-kib", c.argon2_memory_kib,
                 "Argon2id memory cost, KiB (min 19456)")
      ->envname("LATCHKEY_ARGON2_MEMORY_KIB");
  cli.add_option("--argon2-iterations", c.argon2_iterations, "Argon2id time cost (min 2)")
      ->envname("LATCHKEY_ARGON2_ITERATIONS");
  cli.add_option("--cors-origins", c.cors_origins,
                 "Allowed CORS origins, comma-separated (default: any)")
      ->envname("LATCHKEY_CORS_ORIGINS")
      ->delimiter(',');
  cli.add_option("--trusted-proxies", c.trusted_proxies,
                 "Load balancer addresses whose X-Forwarded-For names the client, comma-separated")
      ->envname("LATCHKEY_TRUSTED_PROXIES")
      ->delimiter(',');
  cli.add_option("--auth-rate-limit", c.auth_attempts_per_minute,
                 "Register/login/refresh attempts per client address per minute")
      ->envname("LATCHKEY_AUTH_RATE_LIMIT")
      ->check(CLI::Range(1.0, 1e6));
  cli.add_option("--login-free-failures", c.login_free_failures,
                 "Failed logins per email before each further attempt must wait")
      ->envname("LATCHKEY_LOGIN_FREE_FAILURES")
      ->check(CLI::Range(1, 1000));
  cli.add_option("--login-max-backoff", c.login_max_backoff_s,
                 "Longest wait imposed on an email after failed logins, seconds")
      ->envname("LATCHKEY_LOGIN_MAX_BACKOFF")
      ->check(CLI::Range(1, 86400));
  cli.add_option("--log-format", c.log_format, "Log format: text or json")
      ->envname("LATCHKEY_LOG_FORMAT")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, core::LogFormat>{{"text", core::LogFormat::text},
                                                 {"json", core::LogFormat::json}},
          CLI::ignore_case));
  cli.add_option("--log-level", c.log_level, "Log level: debug, info, warn, error")
      ->envname("LATCHKEY_LOG_LEVEL")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, core::LogLevel>{{"debug", core::LogLevel::debug},
                                                {"info", core::LogLevel::info},
                                                {"warn", core::LogLevel::warn},
                                                {"error", core::LogLevel::error}},
          CLI::ignore_case));
  cli.add_option("--io-threads", c.io_threads, "HTTP I/O threads (0: one per core)")
      ->envname("LATCHKEY_IO_THREADS")
      ->check(CLI::Range(0, 256));
  cli.add_option("--hash-threads", c.hash_threads, "Password hashing threads (0: one per core)")
      ->envname("LATCHKEY_HASH_THREADS")
      ->check(CLI::Range(0, 256));
  cli.add_option("--hash-queue", c.hash_queue, "Logins/registrations allowed to wait for hashing")
      ->envname("LATCHKEY_HASH_QUEUE")
      ->check(CLI::Range(1, 100000));
  cli.add_option("--db-threads", c.db_threads,
                 "Database worker threads (0: 32 on SQLite, 8 on PostgreSQL)")
      ->envname("LATCHKEY_DB_THREADS")
      ->check(CLI::Range(0, 1024));
  cli.add_option("--db-queue", c.db_queue, "Requests allowed to wait for a database worker")
      ->envname("LATCHKEY_DB_QUEUE")
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--max-body-bytes", c.max_body_bytes, "Largest request body accepted")
      ->envname("LATCHKEY_MAX_BODY_BYTES")
      ->check(CLI::Range(size_t(1024), size_t(64) << 20));
  cli.add_option("--max-connections", c.max_connections,
                 "Open connections beyond which new ones get 503")
      ->envname("LATCHKEY_MAX_CONNECTIONS")
      ->check(CLI::Range(size_t(1), size_t(1000000)));
  cli.add_option("--max-connections-per-ip", c.max_connections_per_ip,
                 "Open connections per client address (IPv6: per /64) beyond which new ones get "
                 "503")
      ->envname("LATCHKEY_MAX_CONNECTIONS_PER_IP")
      ->check(CLI::Range(size_t(1), size_t(1000000)));
  add_mail_options(cli, c);
}

void add_mail_options(CLI::App& cli, Config& c) {
  cli.add_option("--mailer-autoconfirm", c.mailer_autoconfirm,
                 "true: sign-up confirms at once; false: it mails a confirmation first")
      ->envname("LATCHKEY_MAILER_AUTOCONFIRM");
  cli.add_option("--product-name", c.product_name, "Name in mail subjects and texts")
      ->envname("LATCHKEY_PRODUCT_NAME");
  cli.add_option("--external-url", c.external_url,
                 "latchkey's public URL, for links in mails (default: http://<listen>)")
      ->envname("LATCHKEY_EXTERNAL_URL");
  cli.add_option("--site-url", c.site_url,
                 "The app's URL: where verification lands (default: the external URL)")
      ->envname("LATCHKEY_SITE_URL");
  cli.add_option("--redirect-urls", c.redirect_urls,
                 "Allowed redirect_to URLs, comma-separated: exact, or a prefix ending in **")
      ->envname("LATCHKEY_REDIRECT_URLS")
      ->delimiter(',');
  cli.add_option("--smtp-url", c.smtp_url,
                 "smtp://host:port (STARTTLS when offered) or smtps://host:port; unset: mail "
                 "stays in the outbox (latchkey mail list)")
      ->envname("LATCHKEY_SMTP_URL");
  cli.add_option("--smtp-from", c.smtp_from, "Sender of account mail")
      ->envname("LATCHKEY_SMTP_FROM");
  cli.add_option("--smtp-user", c.smtp_user,
                 "SMTP AUTH user (the password: LATCHKEY_SMTP_PASSWORD in the environment)")
      ->envname("LATCHKEY_SMTP_USER");
  cli.add_flag("--smtp-require-starttls", c.smtp_require_starttls,
               "smtp://: refuse to send unless the server offers STARTTLS (always so with a "
               "password)")
      ->envname("LATCHKEY_SMTP_REQUIRE_STARTTLS");
  cli.add_option("--smtp-ca-file", c.smtp_ca_file,
                 "PEM file of the CAs that may sign the SMTP server's certificate (default: the "
                 "system's)")
      ->envname("LATCHKEY_SMTP_CA_FILE")
      ->check(CLI::ExistingFile);
  cli.add_option("--smtp-timeout", c.smtp_timeout_s,
                 "Seconds one delivery may take, connecting included; then it is retried later")
      ->envname("LATCHKEY_SMTP_TIMEOUT")
      ->check(CLI::Range(int64_t(1), int64_t(3600)));
  cli.add_option("--mail-templates", c.mail_templates_dir,
                 "Directory of <kind>.subject/.txt/.html files overriding the built-in mails")
      ->envname("LATCHKEY_MAIL_TEMPLATES");
  cli.add_option("--mail-min-interval", c.mail_min_interval_s,
                 "Seconds between two mails of one kind to one address")
      ->envname("LATCHKEY_MAIL_MIN_INTERVAL")
      ->check(CLI::Range(int64_t(0), int64_t(86400)));
  cli.add_option("--mail-hourly-cap", c.mail_hourly_cap, "Mails queued per hour, all addresses")
      ->envname("LATCHKEY_MAIL_HOURLY_CAP")
      ->check(CLI::Range(int64_t(1), int64_t(10'000'000)));
  cli.add_option("--confirm-ttl", c.confirm_ttl_s, "Sign-up confirmation lifetime, seconds")
      ->envname("LATCHKEY_CONFIRM_TTL")
      ->check(CLI::Range(int64_t(60), int64_t(30 * 86400)));
  cli.add_option("--otp-ttl", c.otp_ttl_s,
                 "Recovery, magic link and email change lifetime, seconds")
      ->envname("LATCHKEY_OTP_TTL")
      ->check(CLI::Range(int64_t(60), int64_t(7 * 86400)));
  cli.add_option("--mail-code-attempts", c.mail_code_attempts,
                 "Wrong codes before a mail's code stops working")
      ->envname("LATCHKEY_MAIL_CODE_ATTEMPTS")
      ->check(CLI::Range(1, 100));
  cli.add_option("--mail-max-attempts", c.mail_max_attempts,
                 "Delivery tries before a mail is given up")
      ->envname("LATCHKEY_MAIL_MAX_ATTEMPTS")
      ->check(CLI::Range(1, 100));
  cli.add_option("--mail-retry-delay", c.mail_retry_delay_s,
                 "Seconds before a failed mail is tried again, doubling each time (up to 1 h)")
      ->envname("LATCHKEY_MAIL_RETRY_DELAY")
      ->check(CLI::Range(int64_t(1), int64_t(3600)));
}

}  // namespace

int run_cli(int argc, char** argv) {
  // Like the tutorial, read ./.env first; real environment variables win over it.
  if (auto loaded = load_dotenv(".env"); !loaded) {
    std::cerr << "latchkey: " << loaded.error().message << "\n";
    return 2;
  }
  CLI::App cli{
      "latchkey: authentication and per-user data server.\n"
      "JWT secret: LATCHKEY_JWT_SECRET (or SECRET_KEY) in the environment or ./.env; if unset, "
      "one is generated in <data-dir>/jwt_secret.",
      "latchkey"};
  Config config;
  add_options(cli, config);
  auto* serve_cmd = cli.add_subcommand("serve", "Serve HTTP (the default)")->fallthrough();
  auto* migrate_cmd =
      cli.add_subcommand("migrate", "Apply pending database migrations and exit")->fallthrough();
  auto* version_cmd = cli.add_subcommand("version", "Print the version and exit");
  auto* keys_cmd = cli.add_subcommand("keys", "API keys for supabase-js, and the JWT signing keys")
                       ->fallthrough();
  auto* anon_cmd = keys_cmd->add_subcommand("anon", "Print the anon API key (for apps)");
  auto* service_cmd = keys_cmd->add_subcommand(
      "service-role", "Print the service_role API key (admin rights: keep it secret)");
  bool keys_json = false;
  auto* keys_list_cmd =
      keys_cmd->add_subcommand("list", "List the signing keys: the signer, the next, the others");
  keys_list_cmd->add_flag("--json", keys_json, "One JSON object per line");
  auto* keys_rotate_cmd = keys_cmd->add_subcommand(
      "rotate",
      "Make a new key (of --jwt-algorithm) that signs once every node has it (in a few "
      "seconds); older keys keep verifying");
  std::string retire_kid;
  auto* keys_retire_cmd =
      keys_cmd->add_subcommand("retire", "Stop accepting the tokens of a key (not the signer)");
  keys_retire_cmd->add_option("kid", retire_kid, "The key's kid (keys list)")->required();
  std::string import_path;
  auto* keys_import_cmd = keys_cmd->add_subcommand(
      "import",
      "Import private JWKs as Supabase keeps them (GOTRUE_JWT_KEYS, signing_keys.json); the one "
      "whose key_ops has \"sign\" becomes the signer");
  keys_import_cmd
      ->add_option("file", import_path, "JSON file: an array of JWKs or {\"keys\":[...]}")
      ->required();
  for (auto* sub :
       {anon_cmd, service_cmd, keys_list_cmd, keys_rotate_cmd, keys_retire_cmd, keys_import_cmd})
    sub->fallthrough();
  keys_cmd->require_subcommand(1);
  auto* mail_cmd = cli.add_subcommand("mail", "The outbox (a dev mailbox without SMTP)");
  mail_cmd->fallthrough();
  MailListOptions mail_list;
  auto* mail_list_cmd = mail_cmd->add_subcommand("list", "Show the newest mails, newest first");
  mail_list_cmd->fallthrough();
  mail_list_cmd->add_flag("--json", mail_list.json, "One JSON object per line");
  mail_list_cmd->add_option("--limit", mail_list.limit, "How many")->check(CLI::Range(1, 10000));
  mail_cmd->require_subcommand(1);
  cli.require_subcommand(0, 1);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (version_cmd->parsed()) {
    std::cout << "latchkey " << LATCHKEY_VERSION << "\n";
    return 0;
  }
  if (migrate_cmd->parsed()) return migrate(config);
  if (anon_cmd->parsed()) return print_api_key(config, "anon", std::cout);
  if (service_cmd->parsed()) return print_api_key(config, "service-role", std::cout);
  if (keys_list_cmd->parsed()) return list_keys(config, keys_json, std::cout);
  if (keys_rotate_cmd->parsed()) return rotate_key(config, std::cout);
  if (keys_retire_cmd->parsed()) return retire_key(config, retire_kid, std::cout);
  if (keys_import_cmd->parsed()) return import_keys(config, import_path, std::cout);
  if (mail_list_cmd->parsed()) return list_mail(config, mail_list, std::cout);
  (void)serve_cmd;  // serving is also what no subcommand means
  return serve(config);
}

}  // namespace latchkey::app
