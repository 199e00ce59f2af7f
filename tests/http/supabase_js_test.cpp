// The unmodified supabase-js client (2.119.1, tests/compat) against the real server, on each
// backend: every tests/compat/*.test.mjs file is one test here, run by Node's test runner.
// Needs node and `npm ci` in tests/compat (scripts/test.sh does both); without them the tests
// are skipped, unless LATCHKEY_REQUIRE_NODE=1 (the test command sets it) makes that a failure.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "backends.hpp"
#include "smtp_sink.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

namespace fs = std::filesystem;

LATCHKEY_SUITE_BACKENDS(SupabaseJsTest, both);

// The first executable `node` on PATH; empty if none.
std::string find_node() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

class SupabaseJsTest : public ApiTest {
 protected:
  // Auto-confirm stays on (the suites sign up with a session); mail goes to a loopback SMTP
  // server whose directory mail.test.mjs reads.
  static void SetUpTestSuite() {
    sink_ = SmtpSink::start(&sink_error_);
    if (!sink_) return;
    ServeOptions options = unthrottled();
    options.args({"--smtp-url", sink_->url(), "--mail-retry-delay", "1", "--redirect-urls",
                  "http://app.test/**"});
    start_shared(std::move(options));
  }
  static void TearDownTestSuite() {
    ApiTest::TearDownTestSuite();
    sink_.reset();
  }

  void run_file(const std::string& file) {
    ASSERT_TRUE(sink_) << sink_error_;
    const fs::path dir = LATCHKEY_COMPAT_DIR;
    const std::string node = find_node();
    std::string missing;
    if (node.empty()) missing = "node is not on PATH";
    else if (!fs::exists(dir / "node_modules" / "@supabase" / "supabase-js"))
      missing = "run `npm ci` in " + dir.string();
    if (!missing.empty()) {
      const char* require = std::getenv("LATCHKEY_REQUIRE_NODE");
      if (require && std::string(require) == "1") FAIL() << missing;
      GTEST_SKIP() << missing;
    }
    const EnvMap env = {
        {"LATCHKEY_URL", "http://127.0.0.1:" + std::to_string(server().port())},
        {"LATCHKEY_ANON_KEY", test_api_key("anon")},
        {"LATCHKEY_SERVICE_KEY", test_api_key("service_role")},
        {"LATCHKEY_MAILDIR", sink_->mail_dir().string()},
        {"PATH", std::getenv("PATH") ? std::getenv("PATH") : ""},
    };
    const RunResult r = run_program(node, {"--test", "--test-reporter=./reporter.mjs", file}, env,
                                    dir, std::chrono::seconds(180));
    EXPECT_FALSE(r.timed_out) << file << " timed out";
    EXPECT_TRUE(r.status.exited && r.status.code == 0)
        << file << ": " << describe(r.status) << "\n" << r.out << r.err;
  }

  static std::unique_ptr<SmtpSink> sink_;
  static std::string sink_error_;
};

std::unique_ptr<SmtpSink> SupabaseJsTest::sink_;
std::string SupabaseJsTest::sink_error_;

TEST_F(SupabaseJsTest, Auth) { run_file("auth.test.mjs"); }
TEST_F(SupabaseJsTest, Data) { run_file("data.test.mjs"); }
TEST_F(SupabaseJsTest, RowLevelSecurity) { run_file("rls.test.mjs"); }
TEST_F(SupabaseJsTest, Admin) { run_file("admin.test.mjs"); }
TEST_F(SupabaseJsTest, Http) { run_file("http.test.mjs"); }
TEST_F(SupabaseJsTest, Mail) { run_file("mail.test.mjs"); }

}  // namespace
}  // namespace latchkey::test
