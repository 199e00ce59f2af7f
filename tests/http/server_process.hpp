#pragma once
// Runs the real latchkey binary as a child process: `latchkey serve` on 127.0.0.1:0 with a
// fresh data directory, its stderr captured to a file, the port learned from its log.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::test {

// The secret every test server gets unless a test says otherwise (40 bytes).
inline constexpr std::string_view kTestJwtSecret = "latchkey-http-test-secret-0123456789abcd";

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

using EnvMap = std::map<std::string, std::string>;

// RLIMIT_NOFILE for the server process, set before it execs.
struct OpenFileLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct ServeOptions {
  std::vector<std::string> extra_args;  // appended after `serve --listen ... --data-dir ...`
  EnvMap env;                           // added to the clean environment
  bool default_secret = true;           // set LATCHKEY_JWT_SECRET=kTestJwtSecret
  std::optional<std::filesystem::path> data_dir;     // default: a fresh dir owned by the process
  std::optional<std::filesystem::path> working_dir;  // default: the process's own temp dir
  std::optional<OpenFileLimit> open_files;           // default: the test's own limit

  // Chainable setters (designated initializers trip -Wmissing-field-initializers in GCC 12).
  ServeOptions& args(std::initializer_list<std::string> a) {
    extra_args.insert(extra_args.end(), a);
    return *this;
  }
  ServeOptions& set_env(std::string key, std::string value) {
    env[std::move(key)] = std::move(value);
    return *this;
  }
  ServeOptions& no_default_secret() {
    default_secret = false;
    return *this;
  }
  ServeOptions& in_data_dir(std::filesystem::path dir) {
    data_dir = std::move(dir);
    return *this;
  }
  ServeOptions& in_working_dir(std::filesystem::path dir) {
    working_dir = std::move(dir);
    return *this;
  }
  ServeOptions& open_file_limit(uint64_t soft, uint64_t hard) {
    open_files = OpenFileLimit{soft, hard};
    return *this;
  }
};

struct ExitStatus {
  bool exited = false;  // normal exit (then `code`), else killed by `signal`
  int code = -1;
  int signal = 0;
  std::chrono::milliseconds took{0};  // from the stop request (or start) to the exit
};

std::string describe(const ExitStatus& s);

class ServerProcess {
 public:
  // Starts `latchkey serve` and waits up to 10 s for its `listening ... address=` line.
  // nullptr on failure, with the reason (and the captured stderr) in *error.
  static std::unique_ptr<ServerProcess> start(ServeOptions options, std::string* error);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // Everything the server wrote to stderr so far.
  std::string captured_stderr() const;
  bool running();
  // SIGTERM, then waits; SIGKILL after `grace`. Returns how the process ended.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  ServerProcess() = default;

  std::unique_ptr<TempDir> work_;  // stderr log, and the data dir unless one was given
  std::filesystem::path data_dir_;
  std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<ExitStatus> exit_;
};

// A helper program in the background (the tests' SMTP server): its stdout and stderr go to
// files in a temp dir; stopped (SIGTERM, then SIGKILL) on destruction.
class BackgroundProcess {
 public:
  // `program` is a path (no PATH search). nullptr on failure, with the reason in *error.
  static std::unique_ptr<BackgroundProcess> start(const std::string& program,
                                                  const std::vector<std::string>& args,
                                                  std::string* error);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool running();
  std::string captured_stderr() const;
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  BackgroundProcess() = default;
  std::unique_ptr<TempDir> io_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
};

struct RunResult {
  ExitStatus status;
  bool timed_out = false;  // killed by us after the timeout
  std::string out;
  std::string err;
};

// Runs the binary with `args` in a clean environment plus `env`, in `cwd`, to completion;
// killed (SIGKILL) after `timeout`.
RunResult run_latchkey(const std::vector<std::string>& args, const EnvMap& env,
                       const std::filesystem::path& cwd,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The same for another program (a path, not looked up in PATH), e.g. node for the supabase-js
// suites.
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const EnvMap& env, const std::filesystem::path& cwd,
                      std::chrono::milliseconds timeout);

// Reads a whole file; empty if it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace latchkey::test
