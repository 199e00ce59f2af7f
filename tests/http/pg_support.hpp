#pragma once
// PostgreSQL for the black-box suite: which backend ApiTest suites run on, a fresh database
// per suite on a throwaway cluster (tests/store/pg_cluster.hpp), the `serve` flags that point
// latchkey at it, and haproxy as a load balancer in front of several nodes.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pg_cluster.hpp"
#include "server_process.hpp"

namespace latchkey::test {

// LATCHKEY_TEST_BACKEND=postgres: ApiTest suites run on PostgreSQL; unset or `sqlite`: SQLite.
// Any other value is a mistake in the test command and throws.
bool postgres_requested();

struct PgDatabase {
  std::string app_url;    // latchkey_app (NOBYPASSRLS, NOINHERIT): --database-url
  std::string owner_url;  // latchkey_owner, owns the schema: --database-owner-url
};
// A new empty database on `cluster`; the first server started on it migrates it.
PgDatabase new_database(testing::PgCluster& cluster);

// `options` plus --database-url and --database-owner-url for `db`.
ServeOptions on_postgres(ServeOptions options, const PgDatabase& db);

// Waits up to `timeout` for the server's `ready` log line and returns its backend field
// ("postgres", "sqlite"), empty if none appeared. Proves a suite runs where it claims to.
std::string ready_backend(const ServerProcess& server,
                          std::chrono::milliseconds timeout = std::chrono::seconds(3));

// A TCP port on 127.0.0.1 that nothing listens on right now (bound to port 0, released).
uint16_t free_port();

// haproxy in the foreground on a free 127.0.0.1 port with a temporary config: roundrobin over
// `backends`, each health-checked with GET /health, and a CSV stats page on a second port.
// Stopped (SIGTERM, then SIGKILL) in the destructor.
class Haproxy {
 public:
  struct Backend {
    std::string name;
    uint16_t port;
  };
  struct ServerStats {
    std::string status;      // UP, DOWN, ...
    long sessions = 0;       // stot: connections forwarded to this server
    long responses_2xx = 0;  // hrsp_2xx
  };

  // nullptr with the reason in *error if haproxy is not installed or does not start.
  static std::unique_ptr<Haproxy> start(const std::vector<Backend>& backends, std::string* error);
  ~Haproxy();
  Haproxy(const Haproxy&) = delete;
  Haproxy& operator=(const Haproxy&) = delete;

  uint16_t port() const { return port_; }
  // Per-server counters of the balanced backend, keyed by Backend::name; empty on failure.
  std::map<std::string, ServerStats> stats() const;
  // Until every backend's health check reports UP; false after `timeout`.
  bool wait_all_up(std::chrono::milliseconds timeout) const;
  std::string log() const;

 private:
  Haproxy() = default;
  std::unique_ptr<TempDir> dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t stats_port_ = 0;
  size_t backends_ = 0;
};

}  // namespace latchkey::test
