#include "app/serve.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "api/api.hpp"
#include "auth/auth_service.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/worker_pool.hpp"
#include "crypto/init.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "data/item_service.hpp"
#include "http/server.hpp"
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

size_t or_cores(size_t n) { return n ? n : std::max(1u, std::thread::hardware_concurrency()); }

// The data directory holds the SQLite file and maybe the generated secret: owner-only.
// With SQLite, an exclusive lock on it keeps a second latchkey from opening the same database
// (PostgreSQL nodes are stateless and may share one).
Result<int> prepare_data_dir(const std::string& dir, bool exclusive) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return fail(Errc::unavailable, "cannot create data directory " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  if (!exclusive) return -1;
  const std::string lock_path = dir + "/latchkey.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(Errc::unavailable, "cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail(Errc::unavailable,
                "data directory " + dir + " is in use by another latchkey process");
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

Result<std::unique_ptr<store::Store>> open_store(const Config& config, bool migrate) {
  auto target = parse_database_url(config);
  if (!target) return fail(std::move(target).error());
  if (target->kind == DatabaseTarget::Kind::postgres) {
    store::postgres::PgOptions options;
    options.url = target->location;
    options.owner_url = config.database_owner_url;
    options.apply_migrations = migrate;
    options.pool_size = db_threads(config) + or_cores(config.hash_threads) + 2;
    return store::postgres::open_pg_store(options);
  }
  store::sqlite::SqliteOptions options;
  options.path = target->location;
  // Readers only (writes go through the one group-commit writer): reads take microseconds, so
  // a few connections serve many threads, and each one's page cache stays bounded.
  options.max_connections = std::min<size_t>(8, db_threads(config) + or_cores(config.hash_threads));
  return store::sqlite::open_sqlite_store(options);
}

}  // namespace

int migrate(const Config& config) {
  core::init_logging(config.log_format, config.log_level);
  if (!crypto::init()) return startup_failure("libsodium could not be initialized");
  auto lock = prepare_data_dir(config.data_dir, uses_sqlite(config));
  if (!lock) return startup_failure(lock.error().message);
  auto store = open_store(config, /*migrate=*/true);
  if (!store) return startup_failure(store.error().message + " " + store.error().detail);
  log_event(LogLevel::info, "migrations applied", {{"backend", (*store)->backend_name()}});
  core::flush_logs();
  return 0;
}

int serve(const Config& config) {
  const auto started = std::chrono::steady_clock::now();
  core::init_logging(config.log_format, config.log_level);
  if (!crypto::init()) return startup_failure("libsodium could not be initialized");

  auto listen = parse_listen(config.listen);
  if (!listen) return startup_failure(listen.error().message);
  auto hasher =
      crypto::Argon2idHasher::create({config.argon2_memory_kib, config.argon2_iterations});
  if (!hasher) return startup_failure(hasher.error().message);

  auto lock = prepare_data_dir(config.data_dir, uses_sqlite(config));
  if (!lock) return startup_failure(lock.error().message);
  auto secret = resolve_jwt_secret(config.data_dir);
  if (!secret) return startup_failure(secret.error().message);
  auto store = open_store(config, config.migrate);
  if (!store) return startup_failure(store.error().message + " " + store.error().detail);

  core::SystemClock clock;
  crypto::JwtPolicy policy;
  policy.issuer = config.jwt_issuer;
  policy.leeway_s = config.jwt_leeway_s;
  crypto::JwtCodec jwt(std::move(secret).value(), policy);
  auth::AuthOptions auth_options;
  auth_options.access_ttl_s = config.access_token_ttl_s;
  auth_options.refresh_ttl_s = config.refresh_token_ttl_s;
  auth_options.client_attempts = {config.auth_attempts_per_minute, config.auth_attempts_per_minute};
  auth_options.login_backoff = {config.login_free_failures, config.login_max_backoff_s};
  auth::AuthService auth(**store, **store, (*store)->attempts(), *hasher, jwt, clock, auth_options);
  data::ItemService items(**store, clock);

  // Hashing gets its own pool so a login flood cannot starve data requests of workers.
  // Its threads also run at a lower CPU priority: during a login flood the cores go to
  // requests first, and hashing gets what is left (all of it when nothing else runs).
  core::WorkerPool hash_pool("lk-hash", or_cores(config.hash_threads), config.hash_queue,
                             /*nice=*/5);
  core::WorkerPool db_pool("lk-db", db_threads(config), config.db_queue);
  store::Store& db = **store;
  api::Api api({auth, items, [&db] { return db.ping(); }, db_pool, hash_pool},
               {"latchkey", config.cors_origins, config.trusted_proxies});

  http::ServerOptions http_options;
  http_options.host = listen->host;
  http_options.port = listen->port;
  http_options.io_threads = config.io_threads;
  http_options.max_body_bytes = config.max_body_bytes;
  http_options.max_connections = config.max_connections;
  http::Server server(http_options, api);
  if (auto bound = server.listen(); !bound) return startup_failure(bound.error().message);

  const auto ready_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log_event(
      LogLevel::info, "ready",
      {{"backend", db.backend_name()}, {"startup_ms", ready_ms}, {"data_dir", config.data_dir}});
  server.run();
  // In-flight requests are answered; finish queued work, then close the database.
  hash_pool.shutdown();
  db_pool.shutdown();
  store->reset();
  log_event(LogLevel::info, "shutdown complete");
  core::flush_logs();
  return 0;
}

}  // namespace latchkey::app
