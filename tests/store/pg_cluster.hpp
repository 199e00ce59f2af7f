#pragma once
// A throwaway PostgreSQL cluster for tests: a fresh temporary directory with a copy of an
// initdb'd data directory (made once, then kept as $TMPDIR/latchkey-pg-template-*), a
// server listening only on a Unix socket in that directory, stopped and deleted again in
// the destructor. Reusable by any test binary that links libpq.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::testing {

class PgCluster {
 public:
  // Roles and database created at start: the schema owner (runs migrations), the login
  // role the store serves requests as (NOSUPERUSER NOBYPASSRLS NOINHERIT), and a database
  // the owner owns.
  static constexpr const char* kOwnerRole = "latchkey_owner";
  static constexpr const char* kAppRole = "latchkey_app";
  static constexpr const char* kDatabase = "latchkey";

  // initdb + start + roles. Throws std::runtime_error with a readable reason (and the
  // server's log) if that fails, including when the PostgreSQL binaries are missing.
  PgCluster();
  // Stops the server (fast shutdown) and removes the directory.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // The cluster of this test process: started on first use (so test binaries that never
  // touch PostgreSQL never start one), stopped at exit. Rethrows the start failure.
  static PgCluster& shared();

  // libpq URI for `role` on `database` (trust authentication on the socket: no password).
  std::string url(std::string_view role, std::string_view database = kDatabase) const;
  std::string app_url(std::string_view database = kDatabase) const {
    return url(kAppRole, database);
  }
  std::string owner_url(std::string_view database = kDatabase) const {
    return url(kOwnerRole, database);
  }
  std::string superuser_url(std::string_view database = kDatabase) const {
    return url("postgres", database);
  }

  // Runs `sql` (one or more statements) as the superuser; throws on failure.
  void exec(std::string_view database, const std::string& sql) const;
  // The first column of the first row of `sql` run as the superuser; throws on failure.
  std::string query_scalar(std::string_view database, const std::string& sql) const;
  // A new empty database owned by kOwnerRole; returns its name.
  std::string create_database();

  void stop();
  void start();
  // Same directory and data: for fault-injection tests.
  void restart();
  const std::filesystem::path& dir() const { return dir_; }

 private:
  // Runs argv (as `postgres` when we are root) in `dir`, output appended to dir/commands.log.
  void run(const std::vector<std::string>& argv, const std::filesystem::path& dir) const;
  std::filesystem::path template_dir() const;
  static void configure(const std::filesystem::path& dir);
  void pg_ctl_start(const std::filesystem::path& dir) const;
  void pg_ctl_stop(const std::filesystem::path& dir) const;
  static std::string url_at(const std::filesystem::path& dir, std::string_view role,
                            std::string_view database);
  static void exec_url(const std::string& url, const std::string& sql);
  void teardown() noexcept;
  std::string log_tail(const std::filesystem::path& dir) const;

  std::filesystem::path bindir_;
  std::filesystem::path dir_;
  bool as_postgres_user_ = false;  // running as root: the server must run as `postgres`
  unsigned uid_ = 0, gid_ = 0;
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace latchkey::testing
