#include "app/serve.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <thread>

#include "api/core/pipeline.hpp"
#include "app/surfaces.hpp"
#include "auth/account_mail.hpp"
#include "auth/auth_service.hpp"
#include "auth/signing_keys.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/ticker.hpp"
#include "core/worker_pool.hpp"
#include "crypto/init.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "data/item_service.hpp"
#include "http/server.hpp"
#include "mail/courier.hpp"
#include "mail/sender.hpp"
#include "mail/templates.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace latchkey::app {
namespace {

using core::log_event;
using core::LogLevel;

int startup_failure(std::string_view what) {
  log_event(LogLevel::error, "cannot start", {{"reason", what}});
  core::flush_logs();
  return 1;
}

// For the operator: the start-up wording, and what the store or driver said.
int startup_failure(const Error& e) {
  std::string what = e.message;
  if (!e.detail.empty() && e.detail != e.message) what += (what.empty() ? "" : ": ") + e.detail;
  return startup_failure(std::string_view(what));
}

size_t or_cores(size_t n) { return n ? n : std::max(1u, std::thread::hardware_concurrency()); }

// The data directory holds the SQLite file and maybe the generated secret: owner-only.
// With SQLite, an exclusive lock on it keeps a second latchkey from opening the same database
// (PostgreSQL nodes are stateless and may share one).
Result<int> prepare_data_dir(const std::string& dir, bool exclusive) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return fail(Error::startup(Errc::unavailable, "cannot create data directory " + dir + ": " + ec.message()));
  ::chmod(dir.c_str(), 0700);
  if (!exclusive) return -1;
  const std::string lock_path = dir + "/latchkey.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(Error::startup(Errc::unavailable, "cannot open " + lock_path + ": " + std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail(Error::startup(Errc::unavailable, "data directory " + dir + " is in use by another latchkey process"));
  }
  return fd;  // held until exit
}

bool uses_sqlite(const Config& config) {
  auto target = parse_database_url(config);
  return !target || target->kind == DatabaseTarget::Kind::sqlite;
}

// SQLite writes wait on one group-commit writer, so many threads are cheap and let more writes
// share each fsync; PostgreSQL holds a connection per thread.
size_t db_threads(const Config& config) {
  if (config.db_threads) return config.db_threads;
  return uses_sqlite(config) ? 32 : 8;
}

// SQLite readers only (writes go through the one group-commit writer): reads take
// microseconds, so a few connections serve many threads, and each one's page cache stays
// bounded.
size_t sqlite_readers(const Config& config) {
  return std::min<size_t>(8, db_threads(config) + or_cores(config.hash_threads));
}

size_t pg_pool_size(const Config& config) {
  return db_threads(config) + or_cores(config.hash_threads) + 2;
}

// Descriptors the server holds, or may open, besides its connections: what is open now
// (stdio, the lock file, the database so far), the rest of the database (SQLite opens its
// reader connections on demand, two files each; PostgreSQL holds a socket per pooled
// connection and may reconnect), three per I/O loop (epoll, eventfd, timerfd), the HTTP
// server's own, and a spare for temporary files and the like.
uint64_t reserved_descriptors(const Config& config, uint64_t open_now) {
  constexpr uint64_t kSpare = 32;
  const uint64_t database = uses_sqlite(config) ? 2 * (sqlite_readers(config) + 1) + 2
                                                : 2 * uint64_t{pg_pool_size(config)};
  return open_now + database + 3 * or_cores(config.io_threads) + http::kRefusalDescriptors + kSpare;
}

// The soft RLIMIT_NOFILE raised to the hard one (many systems start processes at 1024, far
// below what max_connections asks for); returns the limit now in force.
uint64_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max && limit.rlim_max != RLIM_INFINITY) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    } else {
      log_event(LogLevel::warn, "cannot raise the open-file limit",
                {{"soft", uint64_t{limit.rlim_cur}},
                 {"hard", uint64_t{limit.rlim_max}},
                 {"error", std::strerror(errno)}});
    }
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<uint64_t>::max() : limit.rlim_cur;
}

uint64_t open_descriptors() {
  std::error_code ec;
  uint64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n > 0 ? n - 1 : 0;  // the iterator's own descriptor is listed too
}

// Security: max_connections (default 20,000) is a promise only the descriptor limit can
// keep. Past it, accept() fails with EMFILE: new clients hang unanswered in the backlog,
// and the database cannot open a file. So the cap is lowered to what fits, with room kept
// for everything else, and past it clients get a clean 503.
size_t connection_cap(const Config& config, uint64_t limit) {
  const uint64_t reserved = reserved_descriptors(config, open_descriptors());
  const size_t cap = effective_max_connections(config.max_connections, limit, reserved);
  log_event(cap < config.max_connections ? LogLevel::warn : LogLevel::info, "connection limit",
            {{"max_connections", uint64_t{cap}},
             {"configured", uint64_t{config.max_connections}},
             {"max_connections_per_ip", uint64_t{config.max_connections_per_ip}},
             {"descriptor_limit", limit},
             {"reserved_descriptors", reserved}});
  return cap;
}

bool is_web_url(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// The mail flows' settings; invalid_input for a URL that is not http(s).
Result<auth::AccountMailOptions> mail_options(const Config& config) {
  auth::AccountMailOptions o;
  o.autoconfirm = config.mailer_autoconfirm;
  o.product = config.product_name;
  for (const std::string* url : {&config.external_url, &config.site_url}) {
    if (!url->empty() && !is_web_url(*url))
      return fail(Error::startup(Errc::invalid_input, "not an http(s) URL: " + *url));
  }
  for (const std::string& url : config.redirect_urls) {
    if (!is_web_url(url) && url.find("://") == std::string::npos)
      return fail(Error::startup(Errc::invalid_input, "not a URL in redirect URLs: " + url));
  }
  o.external_url = config.external_url;
  while (!o.external_url.empty() && o.external_url.back() == '/') o.external_url.pop_back();
  o.site_url = config.site_url.empty() ? o.external_url : config.site_url;
  o.redirect_urls = config.redirect_urls;
  o.confirm_ttl_s = config.confirm_ttl_s;
  o.otp_ttl_s = config.otp_ttl_s;
  o.min_interval_s = config.mail_min_interval_s;
  o.hourly_cap = config.mail_hourly_cap;
  o.max_code_attempts = config.mail_code_attempts;
  return o;
}

// The listener's own URL, for links in mails when LATCHKEY_EXTERNAL_URL is unset.
std::string listener_url(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::unique_ptr<mail::SmtpSender> smtp_sender(const Config& config) {
  if (config.smtp_url.empty()) return nullptr;
  mail::SmtpOptions o;
  o.url = config.smtp_url;
  o.from = config.smtp_from;
  o.username = config.smtp_user;
  // Security: from the environment only, never a flag (flags show in `ps`).
  if (const char* password = std::getenv("LATCHKEY_SMTP_PASSWORD")) o.password = password;
  o.require_starttls = config.smtp_require_starttls;
  o.ca_file = config.smtp_ca_file;
  o.timeout = std::chrono::seconds(config.smtp_timeout_s);
  o.connect_timeout = std::min(o.connect_timeout, o.timeout);
  return std::make_unique<mail::SmtpSender>(std::move(o));
}

}  // namespace

Result<std::unique_ptr<store::Store>> open_store(const Config& config, bool migrate) {
  auto target = parse_database_url(config);
  if (!target) return fail(std::move(target).error());
  if (target->kind == DatabaseTarget::Kind::postgres) {
    store::postgres::PgOptions options;
    options.url = target->location;
    options.owner_url = config.database_owner_url;
    options.apply_migrations = migrate;
    options.pool_size = pg_pool_size(config);
    return store::postgres::open_pg_store(options);
  }
  store::sqlite::SqliteOptions options;
  options.path = target->location;
  options.max_connections = sqlite_readers(config);
  return store::sqlite::open_sqlite_store(options);
}

int migrate(const Config& config) {
  core::init_logging(config.log_format, config.log_level);
  if (!crypto::init()) return startup_failure("libsodium could not be initialized");
  auto lock = prepare_data_dir(config.data_dir, uses_sqlite(config));
  if (!lock) return startup_failure(lock.error());
  auto store = open_store(config, /*migrate=*/true);
  if (!store) return startup_failure(store.error());
  log_event(LogLevel::info, "migrations applied", {{"backend", (*store)->backend_name()}});
  core::flush_logs();
  return 0;
}

int serve(const Config& config) {
  const auto started = std::chrono::steady_clock::now();
  core::init_logging(config.log_format, config.log_level);
  const uint64_t descriptor_limit = raise_descriptor_limit();
  if (!crypto::init()) return startup_failure("libsodium could not be initialized");

  auto listen = parse_listen(config.listen);
  if (!listen) return startup_failure(listen.error());
  auto hasher =
      crypto::Argon2idHasher::create({config.argon2_memory_kib, config.argon2_iterations});
  if (!hasher) return startup_failure(hasher.error());

  auto lock = prepare_data_dir(config.data_dir, uses_sqlite(config));
  if (!lock) return startup_failure(lock.error());
  auto secret = resolve_jwt_secret(config.data_dir);
  if (!secret) return startup_failure(secret.error());
  auto account_mail_options = mail_options(config);
  if (!account_mail_options) return startup_failure(account_mail_options.error());
  auto templates =
      mail::Templates::load(config.mail_templates_dir.empty()
                                ? std::nullopt
                                : std::optional<std::filesystem::path>(config.mail_templates_dir));
  if (!templates) return startup_failure(templates.error());
  // Codes are hashed under a key derived from the server secret (one_time_code.hpp).
  const crypto::CodeHasher codes(*secret);
  auto store = open_store(config, config.migrate);
  if (!store) return startup_failure(store.error());

  core::SystemClock clock;
  crypto::JwtPolicy policy;
  policy.issuer = config.jwt_issuer;
  policy.leeway_s = config.jwt_leeway_s;
  crypto::JwtCodec jwt(*secret, policy);
  // Every node reads the shared signing keys at start and every few seconds, so a rotation or
  // a retirement made anywhere (latchkey keys ...) reaches it without a restart.
  auth::SigningKeys signing_keys((*store)->signing_keys(), jwt, std::move(secret).value(), clock,
                                 core::system_random());
  if (auto made = signing_keys.ensure_signer(
          crypto::parse_algorithm(config.jwt_algorithm).value_or(crypto::JwsAlgorithm::hs256));
      !made)
    return startup_failure(made.error());
  if (auto loaded = signing_keys.reload(); !loaded) return startup_failure(loaded.error());
  core::Ticker key_reloader(std::chrono::seconds(auth::kKeyReloadSeconds), [&signing_keys] {
    // A failed reload keeps the keys already loaded; the next tick tries again.
    if (auto r = signing_keys.reload(); !r)
      log_event(LogLevel::error, "signing keys not reloaded", {{"error", r.error().detail}});
  });
  auth::AuthOptions auth_options;
  auth_options.access_ttl_s = config.access_token_ttl_s;
  auth_options.refresh_ttl_s = config.refresh_token_ttl_s;
  auth_options.refresh_reuse_interval_s = config.refresh_reuse_interval_s;
  auth_options.client_attempts = {config.auth_attempts_per_minute, config.auth_attempts_per_minute};
  auth_options.login_backoff = {config.login_free_failures, config.login_max_backoff_s};
  auth::AuthService auth((*store)->users(), (*store)->sessions(), (*store)->attempts(), *hasher,
                         jwt, clock, core::system_random(), auth_options);
  data::ItemService items((*store)->items(), clock, core::system_random());
  auth::UserAccounts accounts((*store)->users(), (*store)->sessions(), *hasher, clock,
                              core::system_random());
  data::RowService rows((*store)->rows(), clock);

  // Hashing gets its own pool so a login flood cannot starve data requests of workers.
  // Its threads also run at a lower CPU priority: during a login flood the cores go to
  // requests first, and hashing gets what is left (all of it when nothing else runs).
  core::WorkerPool hash_pool("lk-hash", or_cores(config.hash_threads), config.hash_queue,
                             /*nice=*/5);
  core::WorkerPool db_pool("lk-db", db_threads(config), config.db_queue);
  store::Store& db = **store;

  // Every node runs a courier: the outbox's leases give each mail to one of them.
  std::unique_ptr<mail::SmtpSender> sender = smtp_sender(config);
  std::unique_ptr<mail::Courier> courier;
  if (sender) {
    mail::CourierOptions courier_options;
    courier_options.from = config.smtp_from;
    courier_options.max_attempts = config.mail_max_attempts;
    courier_options.first_retry = std::chrono::seconds(config.mail_retry_delay_s);
    courier = std::make_unique<mail::Courier>(db.mail(), *sender, clock, courier_options);
  }
  auth::AccountMail account_mail(
      db.users(), db.mail(), db.attempts(), auth, *templates, codes, clock, core::system_random(),
      std::move(account_mail_options).value(),
      [&courier] {
        if (courier) courier->wake();
      },
      // Lookups of any address run once the answer has been written (account_mail.hpp), on
      // the store pool, so their cost does not show in its timing.
      [](std::function<void()> job) { api::after_reply(std::move(job)); });

  const SurfaceDeps surface_deps{
      {auth, items, accounts, account_mail, [&db] { return db.ping(); }, "latchkey",
       config.cors_origins},
      {auth, accounts, account_mail, LATCHKEY_VERSION, config.cors_origins},
      {auth, rows, config.cors_origins}};
  api::RouteTable routes;
  add_surfaces(routes, surface_deps);
  api::Pipeline pipeline({routes, auth, db_pool, hash_pool}, {config.trusted_proxies});

  http::ServerOptions http_options;
  http_options.host = listen->host;
  http_options.port = listen->port;
  http_options.io_threads = config.io_threads;
  http_options.max_body_bytes = config.max_body_bytes;
  http_options.max_connections = connection_cap(config, descriptor_limit);
  http_options.max_connections_per_ip = config.max_connections_per_ip;
  http_options.uncapped_addresses = config.trusted_proxies;
  http::Server server(http_options, pipeline);
  if (auto bound = server.listen(); !bound) return startup_failure(bound.error());
  if (config.external_url.empty())
    account_mail.set_external_url(listener_url(listen->host, server.port()));
  if (courier) {
    courier->start();
  } else {
    log_event(LogLevel::warn,
              "no SMTP server configured (LATCHKEY_SMTP_URL): account mail stays "
              "in the outbox; `latchkey mail list` shows it");
  }

  const auto ready_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log_event(
      LogLevel::info, "ready",
      {{"backend", db.backend_name()}, {"startup_ms", ready_ms}, {"data_dir", config.data_dir}});
  server.run();
  // In-flight requests are answered; finish queued work, then close the database.
  hash_pool.shutdown();
  db_pool.shutdown();
  if (courier) courier->stop();
  key_reloader.stop();
  store->reset();
  log_event(LogLevel::info, "shutdown complete");
  core::flush_logs();
  return 0;
}

}  // namespace latchkey::app
