#include "pg_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http_client.hpp"

namespace latchkey::test {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

std::string haproxy_binary() {
  for (const char* dir : {"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"}) {
    const std::string path = std::string(dir) + "/haproxy";
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

std::vector<std::string> split(std::string_view line, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t end = line.find(sep, start);
    out.emplace_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// The value of `key` in a text (`key=value`) or JSON (`"key":"value"`) log line.
std::string log_field(std::string_view line, std::string_view key) {
  const std::string text = " " + std::string(key) + "=";
  if (size_t at = line.find(text); at != std::string_view::npos) {
    const size_t from = at + text.size();
    return std::string(line.substr(from, line.find_first_of(" \"", from) - from));
  }
  const std::string json = "\"" + std::string(key) + "\":\"";
  if (size_t at = line.find(json); at != std::string_view::npos) {
    const size_t from = at + json.size();
    return std::string(line.substr(from, line.find('"', from) - from));
  }
  return {};
}

}  // namespace

bool postgres_requested() {
  const char* v = std::getenv("LATCHKEY_TEST_BACKEND");
  if (!v || !*v || std::string_view(v) == "sqlite") return false;
  if (std::string_view(v) == "postgres") return true;
  throw std::runtime_error(std::string("LATCHKEY_TEST_BACKEND=") + v +
                           ": expected `sqlite` or `postgres`");
}

PgDatabase new_database(testing::PgCluster& cluster) {
  const std::string name = cluster.create_database();
  return {cluster.app_url(name), cluster.owner_url(name)};
}

ServeOptions on_postgres(ServeOptions options, const PgDatabase& db) {
  return options.args({"--database-url", db.app_url, "--database-owner-url", db.owner_url});
}

std::string ready_backend(const ServerProcess& server, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    const std::string log = server.captured_stderr();
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("ready") == std::string::npos) continue;
      if (std::string backend = log_field(line, "backend"); !backend.empty()) return backend;
    }
    if (SteadyClock::now() >= deadline) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind 127.0.0.1:0");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::unique_ptr<Haproxy> Haproxy::start(const std::vector<Backend>& backends, std::string* error) {
  const std::string binary = haproxy_binary();
  if (binary.empty()) {
    *error =
        "haproxy is not installed (not in /usr/sbin or /usr/bin): the multi-node tests need it "
        "as their load balancer. Install it with scripts/install-deps.sh (Debian package "
        "`haproxy`).";
    return nullptr;
  }
  std::unique_ptr<Haproxy> h(new Haproxy());
  h->dir_ = std::make_unique<TempDir>();
  h->port_ = free_port();
  h->stats_port_ = free_port();
  h->backends_ = backends.size();
  const fs::path cfg = h->dir_->path() / "haproxy.cfg";
  const fs::path log = h->dir_->path() / "haproxy.log";
  {
    // The same shape as the example in docs/postgres.md; the check interval is short so the
    // test does not wait long for both servers to come UP.
    std::ofstream out(cfg);
    out << "global\n  maxconn 1024\n\n"
        << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n"
        << "  timeout server 30s\n\n"
        << "frontend latchkey\n  bind 127.0.0.1:" << h->port_ << "\n  default_backend nodes\n\n"
        << "backend nodes\n  balance roundrobin\n  option httpchk GET /health\n"
        << "  http-check expect status 200\n  default-server check inter 200ms fall 2 rise 1\n";
    for (const auto& b : backends) out << "  server " << b.name << " 127.0.0.1:" << b.port << "\n";
    out << "\nlisten stats\n  bind 127.0.0.1:" << h->stats_port_
        << "\n  stats enable\n  stats uri /stats\n";
  }

  std::vector<std::string> argv_s{binary, "-db", "-f", cfg.string()};
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const int rc = posix_spawn(&h->pid_, argv[0], &actions, nullptr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    h->pid_ = -1;
    *error = "posix_spawn " + binary + ": " + std::strerror(rc);
    return nullptr;
  }
  // Up once the stats page answers (it lists the servers from the first check on).
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (SteadyClock::now() < deadline) {
    int status = 0;
    if (waitpid(h->pid_, &status, WNOHANG) == h->pid_) {
      h->pid_ = -1;
      *error = "haproxy exited at start:\n" + h->log();
      return nullptr;
    }
    if (!h->stats().empty()) return h;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "haproxy's stats page did not answer within 10 s:\n" + h->log();
  return nullptr;
}

Haproxy::~Haproxy() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (SteadyClock::now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Haproxy::log() const { return read_file(dir_->path() / "haproxy.log"); }

std::map<std::string, Haproxy::ServerStats> Haproxy::stats() const {
  std::map<std::string, ServerStats> out;
  const Response r = HttpClient(stats_port_).get("/stats;csv");
  if (r.status != 200) return out;
  std::istringstream lines(r.body);
  std::string line;
  if (!std::getline(lines, line) || line.rfind("# ", 0) != 0) return out;
  const std::vector<std::string> header = split(std::string_view(line).substr(2), ',');
  auto column = [&](std::string_view name) -> size_t {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    return std::string::npos;
  };
  const size_t px = column("pxname"), sv = column("svname"), st = column("status"),
               stot = column("stot"), ok = column("hrsp_2xx");
  if (px == std::string::npos || sv == std::string::npos || st == std::string::npos ||
      stot == std::string::npos || ok == std::string::npos)
    return out;
  while (std::getline(lines, line)) {
    const std::vector<std::string> cells = split(line, ',');
    if (cells.size() < header.size() || cells[px] != "nodes") continue;
    if (cells[sv] == "FRONTEND" || cells[sv] == "BACKEND") continue;
    out[cells[sv]] = {cells[st], std::atol(cells[stot].c_str()), std::atol(cells[ok].c_str())};
  }
  return out;
}

bool Haproxy::wait_all_up(std::chrono::milliseconds timeout) const {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    const auto s = stats();
    size_t up = 0;
    for (const auto& [name, server] : s) up += server.status == "UP";
    if (s.size() == backends_ && up == backends_) return true;
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace latchkey::test
