// Command line and configuration: --help, bad flags, the JWT secret's sources (env,
// SECRET_KEY, .env, a generated file), token lifetime and leeway, body limit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "test_support.hpp"

namespace latchkey::test {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOtherSecret = "another-test-secret-for-latchkey-9876543";

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A start that must fail: non-zero exit, by itself, promptly, with something on stderr.
void expect_refused_start(const RunResult& r, const std::string& what) {
  EXPECT_FALSE(r.timed_out) << what << ": still running after the timeout (it started anyway?)";
  EXPECT_TRUE(r.status.exited) << what << ": " << describe(r.status) << "\n" << r.err;
  EXPECT_NE(r.status.code, 0) << what;
  EXPECT_LT(r.status.code, 128) << what << ": looks like a crash";
  EXPECT_FALSE(r.err.empty()) << what << ": no message on stderr";
}

std::unique_ptr<ServerProcess> start_or_fail(ServeOptions options) {
  std::string error;
  auto server = ServerProcess::start(std::move(options), &error);
  EXPECT_TRUE(server != nullptr) << error;
  return server;
}

TEST(ConfigTest, HelpExitsZeroAndPrintsUsage) {
  TempDir cwd;
  const RunResult r = run_latchkey({"--help"}, {}, cwd.path());
  ASSERT_TRUE(r.status.exited) << describe(r.status);
  EXPECT_EQ(r.status.code, 0) << r.err;
  const std::string text = lower(r.out + r.err);
  EXPECT_NE(text.find("usage"), std::string::npos) << text;
  EXPECT_NE(text.find("serve"), std::string::npos) << text;

  const RunResult serve = run_latchkey({"serve", "--help"}, {}, cwd.path());
  ASSERT_TRUE(serve.status.exited) << describe(serve.status);
  EXPECT_EQ(serve.status.code, 0) << serve.err;
  // The serve flags may be documented at the top level or under `serve`.
  const std::string serve_text = r.out + r.err + serve.out + serve.err;
  for (const char* flag : {"--listen", "--data-dir", "--log-format", "--access-token-ttl",
                           "--jwt-leeway", "--cors-origins", "--max-body-bytes"}) {
    EXPECT_NE(serve_text.find(flag), std::string::npos)
        << flag << " missing from --help and serve --help";
  }
}

TEST(ConfigTest, BadFlagsAreRefusedWithAMessage) {
  const std::vector<std::vector<std::string>> cases = {
      {"--no-such-flag"},
      {"no-such-command"},
      {"serve", "--no-such-flag"},
      {"serve", "--listen", "nonsense"},
      {"serve", "--listen", "127.0.0.1:99999"},
      {"serve", "--listen", "127.0.0.1:-1"},
      {"serve", "--listen"},
      {"serve", "--log-format", "xml"},
      {"serve", "--access-token-ttl", "abc"},
      {"serve", "--access-token-ttl", "-5"},
      {"serve", "--jwt-leeway", "soon"},
      {"serve", "--max-body-bytes", "lots"},
  };
  for (const auto& args : cases) {
    TempDir dir;
    std::vector<std::string> full = args;
    if (args[0] == "serve") {
      full.insert(full.begin() + 1, {"--data-dir", dir.path().string()});
      // The listen flag under test comes last, so a bad one is not overridden.
      if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
        full.insert(full.begin() + 1, {"--listen", "127.0.0.1:0"});
      }
    }
    std::string what;
    for (const auto& a : args) what += a + " ";
    expect_refused_start(run_latchkey(full, {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}},
                                      dir.path(), std::chrono::seconds(5)),
                         what);
  }
}

TEST(ConfigTest, AddressInUseIsRefused) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string listen_at = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  TempDir dir;
  const RunResult r = run_latchkey(
      {"serve", "--listen", listen_at, "--data-dir", dir.path().string()},
      {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}}, dir.path(), std::chrono::seconds(5));
  close(fd);
  expect_refused_start(r, "listen on a port in use");
}

TEST(ConfigTest, ShortSecretIsRefused) {
  const std::string short_secret(31, 's');
  for (const char* var : {"LATCHKEY_JWT_SECRET", "SECRET_KEY"}) {
    TempDir dir;
    const RunResult r =
        run_latchkey({"serve", "--listen", "127.0.0.1:0", "--data-dir", dir.path().string()},
                     {{var, short_secret}}, dir.path(), std::chrono::seconds(5));
    expect_refused_start(r, std::string(var) + " of 31 bytes");
    EXPECT_EQ(r.err.find(short_secret), std::string::npos) << "the secret was printed";
  }
}

TEST(ConfigTest, SecretOf32BytesIsAccepted) {
  const std::string secret(32, 'k');
  auto server =
      start_or_fail(ServeOptions().set_env("LATCHKEY_JWT_SECRET", secret).no_default_secret());
  ASSERT_TRUE(server);
  const Account a = register_account(HttpClient(server->port()), "secret32");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(has_hs256_signature(a.access_token, secret));
}

TEST(ConfigTest, SecretKeyIsTheFallback) {
  auto server = start_or_fail(
      ServeOptions().set_env("SECRET_KEY", std::string(kOtherSecret)).no_default_secret());
  ASSERT_TRUE(server);
  const Account a = register_account(HttpClient(server->port()), "secretkey");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(has_hs256_signature(a.access_token, kOtherSecret));
  EXPECT_EQ(HttpClient(server->port()).get("/auth/me", a.auth()).status, 200);
}

TEST(ConfigTest, LatchkeySecretWinsOverSecretKey) {
  auto server = start_or_fail(ServeOptions().set_env("SECRET_KEY", std::string(kOtherSecret)));
  ASSERT_TRUE(server);
  const Account a = register_account(HttpClient(server->port()), "bothsecrets");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(has_hs256_signature(a.access_token, kTestJwtSecret));
}

TEST(ConfigTest, DotEnvInWorkingDirectoryIsRead) {
  TempDir cwd;
  std::ofstream(cwd.path() / ".env")
      << "# test config\nLATCHKEY_JWT_SECRET=" << kOtherSecret << "\n";
  auto server = start_or_fail(ServeOptions().no_default_secret().in_working_dir(cwd.path()));
  ASSERT_TRUE(server);
  const Account a = register_account(HttpClient(server->port()), "dotenv");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(has_hs256_signature(a.access_token, kOtherSecret)) << ".env secret not used";
  EXPECT_FALSE(fs::exists(server->data_dir() / "jwt_secret"))
      << "generated a secret although .env had one";
}

TEST(ConfigTest, GeneratedSecretFileIsPrivateAndReusedAcrossRestarts) {
  TempDir data;
  const fs::path secret_file = data.path() / "jwt_secret";
  auto first = start_or_fail(ServeOptions().no_default_secret().in_data_dir(data.path()));
  ASSERT_TRUE(first);
  ASSERT_TRUE(fs::exists(secret_file)) << "no " << secret_file;
  struct stat st {};
  ASSERT_EQ(stat(secret_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << std::oct << (st.st_mode & 0777);
  const std::string secret = read_file(secret_file);
  EXPECT_GE(secret.size(), 32u);
  const Account a = register_account(HttpClient(first->port()), "genkey");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_FALSE(has_hs256_signature(a.access_token, kTestJwtSecret));
  const ExitStatus stopped = first->stop();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << describe(stopped);
  first.reset();

  auto second = start_or_fail(ServeOptions().no_default_secret().in_data_dir(data.path()));
  ASSERT_TRUE(second);
  EXPECT_EQ(read_file(secret_file), secret) << "the secret changed on restart";
  const Response me = HttpClient(second->port()).get("/auth/me", a.auth());
  EXPECT_EQ(me.status, 200) << "a token from before the restart no longer works: " << me.body;
}

TEST(ConfigTest, GeneratedSecretsDifferBetweenDataDirs) {
  auto one = start_or_fail(ServeOptions().no_default_secret());
  auto two = start_or_fail(ServeOptions().no_default_secret());
  ASSERT_TRUE(one && two);
  const std::string a = read_file(one->data_dir() / "jwt_secret");
  const std::string b = read_file(two->data_dir() / "jwt_secret");
  EXPECT_FALSE(a.empty());
  EXPECT_NE(a, b) << "the generated secret is not random";
}

TEST(ConfigTest, AccessTokenTtlAndLeeway) {
  auto strict =
      start_or_fail(ServeOptions().args({"--access-token-ttl", "3", "--jwt-leeway", "0"}));
  auto lenient =
      start_or_fail(ServeOptions().args({"--access-token-ttl", "3", "--jwt-leeway", "60"}));
  ASSERT_TRUE(strict && lenient);
  const Account s = register_account(HttpClient(strict->port()), "ttl");
  const Account l = register_account(HttpClient(lenient->port()), "leeway");
  ASSERT_TRUE(s.ok && l.ok) << s.error << l.error;
  EXPECT_EQ(s.body["expires_in"], 3) << s.body.dump();
  const json claims = jwt_part(s.access_token, 1);
  EXPECT_EQ(claims.value("exp", int64_t(0)) - claims.value("iat", int64_t(0)), 3);
  ASSERT_EQ(HttpClient(strict->port()).get("/auth/me", s.auth()).status, 200);

  // The same claims, already expired, signed with the servers' key: no waiting for the clock
  // (expiry itself is unit-tested with a FixedClock in auth_service_test). The offsets sit
  // either side of the default leeway (30 s), so a flag that is ignored shows.
  auto expired = [](json c, int64_t ago_s) {
    const int64_t now = c.value("iat", int64_t(0));
    c["iat"] = now - 120;
    c["exp"] = now - ago_s;
    return sign_hs256({{"alg", "HS256"}, {"typ", "JWT"}}, c, kTestJwtSecret);
  };
  EXPECT_TRUE(IsUnauthorized(HttpClient(strict->port())
                                 .get("/auth/me", bearer(expired(jwt_part(s.access_token, 1), 15)))))
      << "expired token accepted with --jwt-leeway 0";
  EXPECT_EQ(HttpClient(lenient->port())
                .get("/auth/me", bearer(expired(jwt_part(l.access_token, 1), 45)))
                .status,
            200)
      << "--jwt-leeway 60 not honoured";
}

TEST(ConfigTest, MaxBodyBytesFlag) {
  auto server = start_or_fail(ServeOptions().args({"--max-body-bytes", "2048"}));
  ASSERT_TRUE(server);
  const HttpClient client(server->port());
  const Account a = register_account(client, "maxbody");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_TRUE(IsErrorBody(
      client.post("/data", {{"title", "t"}, {"content", std::string(3000, 'x')}}, a.auth()), 413));
  EXPECT_EQ(
      client.post("/data", {{"title", "t"}, {"content", std::string(1000, 'x')}}, a.auth()).status,
      200);
}

}  // namespace
}  // namespace latchkey::test
