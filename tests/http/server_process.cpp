#include "server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef LATCHKEY_BINARY
#error "LATCHKEY_BINARY must name the server binary"
#endif

namespace latchkey::test {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::vector<std::string> environment(const EnvMap& extra) {
  EnvMap env;
  // Sanitizer settings pass through so a sanitized server reports the same way under test;
  // everything else is left out so the developer's own secrets cannot leak into a test.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn rather than fork: the test process has threads, and only the spawn path is
// safe to run between fork and exec without care.
// With `open_files`, through /bin/sh, whose ulimit sets the limits and then execs the binary
// (same pid): posix_spawn has no attribute for resource limits, and lowering the hard limit in
// this process could not be undone.
// `program` is a path (no PATH search), LATCHKEY_BINARY for the server.
pid_t spawn(const std::string& program, const std::vector<std::string>& args, const EnvMap& env,
            const fs::path& cwd, const fs::path& out_path, const fs::path& err_path,
            std::string* error, const std::optional<OpenFileLimit>& open_files = std::nullopt) {
  std::vector<std::string> argv_s;
  if (open_files) {
    // Soft first: the hard limit cannot go below the soft one.
    argv_s = {"/bin/sh", "-c",
              "ulimit -Sn " + std::to_string(open_files->soft) + " && ulimit -Hn " +
                  std::to_string(open_files->hard) + " && exec \"$0\" \"$@\""};
  }
  argv_s.push_back(program);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s = environment(env);
  auto argv = c_strings(argv_s);
  auto envp = c_strings(env_s);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = std::string("posix_spawn ") + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

ExitStatus to_exit_status(int wstatus, milliseconds took) {
  ExitStatus s;
  s.took = took;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

// Waits for `pid` until `deadline`; nullopt if it is still running then.
std::optional<ExitStatus> wait_until(pid_t pid, SteadyClock::time_point since,
                                     SteadyClock::time_point deadline) {
  for (;;) {
    int wstatus = 0;
    const pid_t r = waitpid(pid, &wstatus, WNOHANG);
    const auto now = SteadyClock::now();
    if (r == pid) {
      return to_exit_status(wstatus, std::chrono::duration_cast<milliseconds>(now - since));
    }
    if (r < 0 && errno != EINTR) return ExitStatus{};  // not our child any more
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

ExitStatus kill_and_reap(pid_t pid, SteadyClock::time_point since) {
  kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  return to_exit_status(wstatus,
                        std::chrono::duration_cast<milliseconds>(SteadyClock::now() - since));
}

// The port from a complete log line like `... listening address=127.0.0.1:41234 ...` (text)
// or `{"msg":"listening","address":"127.0.0.1:41234"}` (json).
std::optional<uint16_t> find_listen_port(std::string_view log) {
  size_t pos = 0;
  for (;;) {
    const size_t end = log.find('\n', pos);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view line = log.substr(pos, end - pos);
    pos = end + 1;
    if (line.find("listening") == std::string_view::npos) continue;
    const size_t addr = line.find("address");
    if (addr == std::string_view::npos) continue;
    constexpr std::string_view kHost = "127.0.0.1:";
    const size_t host = line.find(kHost, addr);
    if (host == std::string_view::npos) continue;
    unsigned port = 0;
    size_t i = host + kHost.size();
    while (i < line.size() && line[i] >= '0' && line[i] <= '9' && port < 65536) {
      port = port * 10 + unsigned(line[i] - '0');
      ++i;
    }
    if (port > 0 && port < 65536) return static_cast<uint16_t>(port);
  }
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string describe(const ExitStatus& s) {
  if (s.exited) return "exit code " + std::to_string(s.code);
  if (s.signal != 0) return std::string("killed by signal ") + strsignal(s.signal);
  return "unknown exit";
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "latchkey-http-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::unique_ptr<ServerProcess> ServerProcess::start(ServeOptions options, std::string* error) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->work_ = std::make_unique<TempDir>();
  const fs::path& work = p->work_->path();
  if (options.data_dir) {
    p->data_dir_ = *options.data_dir;
  } else {
    p->data_dir_ = work / "data";
    fs::create_directories(p->data_dir_);
  }
  p->stderr_path_ = work / "stderr.log";

  std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                p->data_dir_.string()};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  EnvMap env;
  if (options.default_secret) env["LATCHKEY_JWT_SECRET"] = std::string(kTestJwtSecret);
  for (const auto& [k, v] : options.env) env[k] = v;

  const auto started = SteadyClock::now();
  p->pid_ = spawn(LATCHKEY_BINARY, args, env, options.working_dir.value_or(work), work / "stdout.log",
                  p->stderr_path_, error, options.open_files);
  if (p->pid_ < 0) return nullptr;

  const auto deadline = started + std::chrono::seconds(10);
  for (;;) {
    if (auto port = find_listen_port(p->captured_stderr())) {
      p->port_ = *port;
      return p;
    }
    if (auto exited = wait_until(p->pid_, started, SteadyClock::now())) {
      p->exit_ = exited;
      *error = "server exited before listening (" + describe(*exited) + "); stderr:\n" +
               p->captured_stderr();
      return nullptr;
    }
    if (SteadyClock::now() >= deadline) {
      p->exit_ = kill_and_reap(p->pid_, started);
      *error = "no `listening address=127.0.0.1:PORT` log line within 10 s; stderr:\n" +
               p->captured_stderr();
      return nullptr;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exit_) stop();
}

std::string ServerProcess::captured_stderr() const { return read_file(stderr_path_); }

bool ServerProcess::running() {
  if (exit_) return false;
  if (auto exited = wait_until(pid_, SteadyClock::now(), SteadyClock::now())) {
    exit_ = exited;
    return false;
  }
  return true;
}

ExitStatus ServerProcess::stop(std::chrono::milliseconds grace) {
  if (exit_) return *exit_;
  const auto since = SteadyClock::now();
  kill(pid_, SIGTERM);
  if (auto exited = wait_until(pid_, since, since + grace)) {
    exit_ = exited;
  } else {
    exit_ = kill_and_reap(pid_, since);
  }
  return *exit_;
}

RunResult run_latchkey(const std::vector<std::string>& args, const EnvMap& env,
                       const std::filesystem::path& cwd, std::chrono::milliseconds timeout) {
  return run_program(LATCHKEY_BINARY, args, env, cwd, timeout);
}

std::unique_ptr<BackgroundProcess> BackgroundProcess::start(const std::string& program,
                                                            const std::vector<std::string>& args,
                                                            std::string* error) {
  std::unique_ptr<BackgroundProcess> p(new BackgroundProcess());
  p->io_ = std::make_unique<TempDir>();
  p->pid_ = spawn(program, args, {}, p->io_->path(), p->io_->path() / "out", p->io_->path() / "err",
                  error);
  if (p->pid_ < 0) return nullptr;
  return p;
}

BackgroundProcess::~BackgroundProcess() { stop(); }

bool BackgroundProcess::running() {
  if (exit_) return false;
  const auto now = SteadyClock::now();
  exit_ = wait_until(pid_, now, now);
  return !exit_;
}

std::string BackgroundProcess::captured_stderr() const { return read_file(io_->path() / "err"); }

ExitStatus BackgroundProcess::stop(std::chrono::milliseconds grace) {
  if (exit_ || pid_ < 0) return exit_.value_or(ExitStatus{});
  const auto since = SteadyClock::now();
  kill(pid_, SIGTERM);
  exit_ = wait_until(pid_, since, since + grace);
  if (!exit_) exit_ = kill_and_reap(pid_, since);
  return *exit_;
}

RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const EnvMap& env, const std::filesystem::path& cwd,
                      std::chrono::milliseconds timeout) {
  TempDir io;
  RunResult result;
  std::string error;
  const auto since = SteadyClock::now();
  const pid_t pid = spawn(program, args, env, cwd, io.path() / "out", io.path() / "err", &error);
  if (pid < 0) {
    result.err = error;
    return result;
  }
  if (auto exited = wait_until(pid, since, since + timeout)) {
    result.status = *exited;
  } else {
    result.timed_out = true;
    result.status = kill_and_reap(pid, since);
  }
  result.out = read_file(io.path() / "out");
  result.err = read_file(io.path() / "err");
  return result;
}

}  // namespace latchkey::test
