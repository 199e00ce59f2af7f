#include "pg_cluster.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace latchkey::testing {
namespace {

namespace fs = std::filesystem;

bool has_server_binaries(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "initdb", ec) && fs::exists(dir / "pg_ctl", ec);
}

std::string pg_config_bindir() {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen("pg_config --bindir 2>/dev/null", "r"), pclose);
  if (!p) return {};
  std::array<char, 512> buf{};
  std::string out;
  while (fgets(buf.data(), buf.size(), p.get())) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// $LATCHKEY_PG_BINDIR, then Debian's versioned directories (newest first), then pg_config.
// Debian's pg_config names /usr/bin, which has wrappers but no initdb.
fs::path find_bindir() {
  if (const char* env = std::getenv("LATCHKEY_PG_BINDIR"); env && has_server_binaries(env))
    return env;
  for (int version = 17; version >= 13; --version) {
    fs::path dir = "/usr/lib/postgresql/" + std::to_string(version) + "/bin";
    if (has_server_binaries(dir)) return dir;
  }
  if (fs::path dir = pg_config_bindir(); !dir.empty() && has_server_binaries(dir)) return dir;
  throw std::runtime_error(
      "PostgreSQL server binaries (initdb, pg_ctl) not found in $LATCHKEY_PG_BINDIR, "
      "/usr/lib/postgresql/*/bin or `pg_config --bindir`. Install them with "
      "scripts/install-deps.sh (Debian package `postgresql`).");
}

struct ConnFree {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Where clusters (and the template) live: $LATCHKEY_PG_TMPDIR, else /dev/shm (tmpfs: a
// cluster is ~1000 small files, and creating and deleting them on a disk costs seconds),
// else $TMPDIR or /tmp. Short on purpose: the socket path (dir + "/.s.PGSQL.5432") must fit
// in 107 bytes.
fs::path base_dir() {
  if (const char* v = std::getenv("LATCHKEY_PG_TMPDIR"); v && *v) return v;
  if (access("/dev/shm", W_OK) == 0) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp && std::strlen(tmp) < 60 ? tmp : "/tmp";
}

}  // namespace

PgCluster::PgCluster() {
  bindir_ = find_bindir();
  std::string pattern = (base_dir() / "latchkey-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  dir_ = pattern;

  // PostgreSQL refuses to run as root (CI runs as root): then the server runs as the
  // `postgres` system user that Debian's postgresql package creates, in a directory it owns.
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (!pw) {
      fs::remove_all(dir_);
      throw std::runtime_error(
          "running as root but there is no `postgres` system user to run the test server as "
          "(install the Debian package `postgresql`, see scripts/install-deps.sh)");
    }
    as_postgres_user_ = true;
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    if (chown(dir_.c_str(), uid_, gid_) != 0) {
      fs::remove_all(dir_);
      throw std::runtime_error("chown " + dir_.string() + " to postgres failed");
    }
  }

  try {
    run({"/bin/cp", "-a", (template_dir() / "data").string(), (dir_ / "data").string()}, dir_);
    configure(dir_);
    start();
  } catch (...) {
    teardown();  // the destructor does not run for a half-built object
    throw;
  }
}

PgCluster::~PgCluster() { teardown(); }

// initdb takes about a second of CPU; ctest runs every test case in its own process, each
// with its own cluster. So the freshly initialized (never started) data directory is kept
// as a template next to the clusters and copied (~50 ms) for each one. It is published
// with rename(), so parallel test processes see a complete template or none.
fs::path PgCluster::template_dir() const {
  const fs::path base = dir_.parent_path();
  const fs::path final_dir = base / ("latchkey-pg-template-v2-" +
                                     std::to_string(std::hash<std::string>{}(bindir_.string())) +
                                     "-" + std::to_string(geteuid()));
  struct stat st {};
  const unsigned expected_owner = as_postgres_user_ ? uid_ : geteuid();
  if (::stat((final_dir / "ready").c_str(), &st) == 0) {
    // Only a template this user (or `postgres`) made: /tmp is shared with other users.
    if (::stat(final_dir.c_str(), &st) == 0 && st.st_uid == expected_owner) return final_dir;
    throw std::runtime_error(final_dir.string() + " is owned by someone else; remove it");
  }

  std::string pattern = (base / "latchkey-pg-template-tmp-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  const fs::path building = pattern;
  std::error_code ec;
  try {
    if (as_postgres_user_ && chown(building.c_str(), uid_, gid_) != 0)
      throw std::runtime_error("chown " + building.string() + " to postgres failed");
    run({(bindir_ / "initdb").string(), "-D", (building / "data").string(), "-U", "postgres", "-A",
         "trust", "-E", "UTF8", "--no-locale", "--no-sync"},
        building);
    // The roles and the database are part of the template too (~0.3 s less per cluster).
    configure(building);
    pg_ctl_start(building);
    try {
      // Appended piece by piece: GCC 12 warns falsely (-Warray-bounds) on long operator+ chains.
      std::string roles = "CREATE ROLE ";
      roles.append(kOwnerRole).append(" LOGIN CREATEROLE;\nCREATE ROLE ").append(kAppRole);
      roles.append(" LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;\n");
      exec_url(url_at(building, "postgres", "postgres"), roles);
      std::string database = "CREATE DATABASE ";
      database.append(kDatabase).append(" OWNER ").append(kOwnerRole);
      exec_url(url_at(building, "postgres", "postgres"), database);
    } catch (...) {
      pg_ctl_stop(building);
      throw;
    }
    pg_ctl_stop(building);
    std::ofstream(building / "ready").put('\n');
  } catch (...) {
    fs::remove_all(building, ec);
    throw;
  }
  // Losing the race to another process is fine: its template is as good as ours.
  if (::rename(building.c_str(), final_dir.c_str()) != 0) fs::remove_all(building, ec);
  return final_dir;
}

void PgCluster::teardown() noexcept {
  if (dir_.empty()) return;
  std::error_code ec;
  // A start that timed out may still have left a server running.
  if (fs::exists(dir_ / "data" / "postmaster.pid", ec)) running_ = true;
  try {
    stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "PgCluster: stop failed: %s\n", e.what());
  }
  fs::remove_all(dir_, ec);
  dir_.clear();
}

PgCluster& PgCluster::shared() {
  static std::unique_ptr<PgCluster> cluster;
  static std::string failure;
  if (!cluster && failure.empty()) {
    try {
      cluster = std::make_unique<PgCluster>();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  // Every later test fails with the same reason instead of retrying a slow initdb.
  if (!cluster) throw std::runtime_error("test PostgreSQL cluster unavailable: " + failure);
  return *cluster;
}

std::string PgCluster::url_at(const fs::path& dir, std::string_view role,
                              std::string_view database) {
  return "postgresql://" + std::string(role) + "@/" + std::string(database) +
         "?host=" + dir.string();
}

std::string PgCluster::url(std::string_view role, std::string_view database) const {
  return url_at(dir_, role, database);
}

void PgCluster::run(const std::vector<std::string>& argv, const fs::path& dir) const {
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe
  // calls (this process may have other threads).
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string log = (dir / "commands.log").string();
  const std::string cwd = dir.string();

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    if (as_postgres_user_ && (setgroups(0, nullptr) != 0 || setgid(gid_) != 0 || setuid(uid_) != 0))
      _exit(126);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error("`" + cmd + "` failed (status " + std::to_string(status) + ")\n" +
                             log_tail(dir));
  }
}

std::string PgCluster::log_tail(const fs::path& dir) const {
  std::string all = "--- commands.log ---\n" + read_file(dir / "commands.log") +
                    "--- server.log ---\n" + read_file(dir / "server.log");
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

void PgCluster::configure(const fs::path& dir) {
  // Only a Unix socket, in the cluster's own directory: nothing else on the machine can
  // connect, and parallel test processes do not fight over a TCP port. Durability is off:
  // the cluster is thrown away. Appended, so a copy's settings override the template's.
  std::ofstream conf(dir / "data" / "postgresql.conf", std::ios::app);
  conf << "\nlisten_addresses = ''\n"
       << "unix_socket_directories = '" << dir.string() << "'\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
       << "max_connections = 100\nshared_buffers = 32MB\n";
}

void PgCluster::pg_ctl_start(const fs::path& dir) const {
  run({(bindir_ / "pg_ctl").string(), "-D", (dir / "data").string(), "-l",
       (dir / "server.log").string(), "-w", "-t", "30", "start"},
      dir);
}

void PgCluster::pg_ctl_stop(const fs::path& dir) const {
  run({(bindir_ / "pg_ctl").string(), "-D", (dir / "data").string(), "-m", "fast", "-w", "-t", "30",
       "stop"},
      dir);
}

void PgCluster::start() {
  if (running_) return;
  pg_ctl_start(dir_);
  running_ = true;
}

void PgCluster::stop() {
  if (!running_) return;
  running_ = false;
  pg_ctl_stop(dir_);
}

void PgCluster::restart() {
  stop();
  start();
}

void PgCluster::exec(std::string_view database, const std::string& sql) const {
  exec_url(superuser_url(database), sql);
}

void PgCluster::exec_url(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, ConnFree> conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("connect as superuser: " + std::string(PQerrorMessage(conn.get())));
  std::unique_ptr<PGresult, ResultFree> r(PQexec(conn.get(), sql.c_str()));
  const ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    throw std::runtime_error(sql + ": " + PQerrorMessage(conn.get()));
}

std::string PgCluster::query_scalar(std::string_view database, const std::string& sql) const {
  std::unique_ptr<PGconn, ConnFree> conn(PQconnectdb(superuser_url(database).c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("connect as superuser: " + std::string(PQerrorMessage(conn.get())));
  std::unique_ptr<PGresult, ResultFree> r(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) < 1)
    throw std::runtime_error(sql + ": " + PQerrorMessage(conn.get()));
  return PQgetvalue(r.get(), 0, 0);
}

std::string PgCluster::create_database() {
  const std::string name = "test_" + std::to_string(++databases_);
  exec("postgres", "CREATE DATABASE " + name + " OWNER " + kOwnerRole);
  return name;
}

}  // namespace latchkey::testing
