// The process: data surviving a restart, prompt clean shutdown on SIGTERM, and the access
// log (one JSON line per request, no secrets).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

#include "test_support.hpp"

namespace latchkey::test {
namespace {

std::unique_ptr<ServerProcess> start_or_fail(ServeOptions options) {
  std::string error;
  auto server = ServerProcess::start(std::move(options), &error);
  EXPECT_TRUE(server != nullptr) << error;
  return server;
}

TEST(LifecycleTest, DataSurvivesARestart) {
  TempDir data;
  auto first = start_or_fail(ServeOptions().in_data_dir(data.path()));
  ASSERT_TRUE(first);
  const HttpClient c1(first->port());
  const Account a = register_account(c1, "persist");
  ASSERT_TRUE(a.ok) << a.error;
  const Response item = c1.post(
      "/data", {{"title", "kept"}, {"content", "across restarts"}, {"metadata", {{"n", 1}}}},
      a.auth());
  ASSERT_EQ(item.status, 200) << item.body;
  const ExitStatus s = first->stop();
  EXPECT_TRUE(s.exited && s.code == 0) << describe(s);
  first.reset();

  auto second = start_or_fail(ServeOptions().in_data_dir(data.path()));
  ASSERT_TRUE(second);
  const HttpClient c2(second->port());
  const Response got = c2.get("/data/" + item.json()["id"].get<std::string>(), a.auth());
  ASSERT_EQ(got.status, 200) << "token or item lost: " << got.body;
  EXPECT_EQ(got.json(), item.json());
  const Response login = c2.post("/auth/login", {{"email", a.email}, {"password", a.password}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["user"]["id"], a.id);
  EXPECT_EQ(c2.post("/auth/refresh", {{"refresh_token", a.refresh_token}}).status, 200)
      << "refresh token lost";
  EXPECT_TRUE(IsError(c2.post("/auth/register", {{"email", a.email}, {"password", "whatever1"}}),
                      400, "User already registered"));
}

TEST(LifecycleTest, PasswordsAreStoredOnlyAsArgon2idHashes) {
  TempDir data;
  auto server = start_or_fail(ServeOptions().in_data_dir(data.path()));
  ASSERT_TRUE(server);
  const Account a = register_account(HttpClient(server->port()), "atrest");
  ASSERT_TRUE(a.ok) << a.error;
  const ExitStatus s = server->stop();
  EXPECT_TRUE(s.exited && s.code == 0) << describe(s);
  // Everything the server left on disk (database, WAL, secret file), read as bytes.
  std::string on_disk;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data.path())) {
    if (entry.is_regular_file()) on_disk += read_file(entry.path());
  }
  ASSERT_FALSE(on_disk.empty());
  EXPECT_EQ(on_disk.find(a.password), std::string::npos) << "the password is stored in clear";
  EXPECT_NE(on_disk.find("$argon2id$"), std::string::npos) << "no Argon2id hash on disk";
}

TEST(LifecycleTest, LogoutSurvivesARestart) {
  TempDir data;
  auto first = start_or_fail(ServeOptions().in_data_dir(data.path()));
  ASSERT_TRUE(first);
  const Account a = register_account(HttpClient(first->port()), "revoked");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_EQ(HttpClient(first->port()).post("/auth/logout", json::object(), a.auth()).status, 200);
  first->stop();
  first.reset();
  auto second = start_or_fail(ServeOptions().in_data_dir(data.path()));
  ASSERT_TRUE(second);
  EXPECT_TRUE(IsUnauthorized(HttpClient(second->port()).get("/auth/me", a.auth())))
      << "a revoked token works again after a restart";
}

TEST(LifecycleTest, SigtermExitsZeroPromptlyEvenWithAnIdleConnection) {
  auto server = start_or_fail(ServeOptions());
  ASSERT_TRUE(server);
  Connection idle(server->port());
  ASSERT_TRUE(idle.connected());
  ASSERT_EQ(idle.request("GET", "/health").status, 200);  // now an idle keep-alive connection
  const ExitStatus s = server->stop();
  EXPECT_TRUE(s.exited) << describe(s);
  EXPECT_EQ(s.code, 0) << server->captured_stderr();
  EXPECT_LT(s.took.count(), 3000) << "shutdown took " << s.took.count() << " ms";
}

TEST(LifecycleTest, SigintAlsoStopsCleanly) {
  auto server = start_or_fail(ServeOptions());
  ASSERT_TRUE(server);
  ASSERT_EQ(kill(server->pid(), SIGINT), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server->running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(server->running()) << "SIGINT did not stop the server within 5 s";
  const ExitStatus s = server->stop();  // already exited: only reports the status
  EXPECT_TRUE(s.exited && s.code == 0) << describe(s);
}

std::vector<json> json_lines(const std::string& text, std::vector<std::string>* bad) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_object()) {
      out.push_back(std::move(j));
    } else {
      bad->push_back(line);
    }
  }
  return out;
}

TEST(LifecycleTest, JsonAccessLogHasOneLinePerRequestAndNoSecrets) {
  auto server = start_or_fail(ServeOptions().args({"--log-format", "json"}));
  ASSERT_TRUE(server);
  const HttpClient client(server->port());

  struct Sent {
    std::string method;
    std::string path;
    int status;
    std::string request_id;
  };
  std::vector<Sent> sent;
  const auto record = [&](const std::string& method, const std::string& path, const Response& r) {
    sent.push_back({method, path, r.status, r.header("X-Request-Id").value_or("")});
  };

  const std::string email = unique_email("logs");
  const std::string password = "Never-Log-This-Password-" + std::to_string(getpid());
  Response r = client.post("/auth/register", {{"email", email}, {"password", password}});
  record("POST", "/auth/register", r);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string access = r.json()["access_token"];
  const std::string refresh_token = r.json()["refresh_token"];

  r = client.post("/auth/login", {{"email", email}, {"password", password}});
  record("POST", "/auth/login", r);
  r = client.post("/auth/login", {{"email", email}, {"password", password + "-wrong"}});
  record("POST", "/auth/login", r);
  r = client.get("/auth/me", bearer(access));
  record("GET", "/auth/me", r);
  r = client.post("/data", {{"title", "t"}, {"content", "c"}}, bearer(access));
  record("POST", "/data", r);
  r = client.get("/data?limit=5", bearer(access));
  record("GET", "/data", r);
  r = client.get("/no/such/path");
  record("GET", "/no/such/path", r);
  r = client.request("POST", "/data", bearer(access), "{broken");
  record("POST", "/data", r);
  r = client.post("/auth/refresh", {{"refresh_token", refresh_token}});
  record("POST", "/auth/refresh", r);
  const std::string new_refresh = r.json().value("refresh_token", "");
  r = client.get("/auth/me", bearer("forged." + access));
  record("GET", "/auth/me", r);

  const ExitStatus s = server->stop();  // flushes the log
  EXPECT_TRUE(s.exited && s.code == 0) << describe(s);
  const std::string log = server->captured_stderr();

  std::vector<std::string> bad;
  const std::vector<json> lines = json_lines(log, &bad);
  EXPECT_TRUE(bad.empty()) << "not JSON: " << (bad.empty() ? "" : bad[0]);
  std::vector<json> access_lines;
  for (const auto& j : lines) {
    if (j.contains("method") && j.contains("path") && j.contains("status")) {
      access_lines.push_back(j);
    }
  }
  ASSERT_EQ(access_lines.size(), sent.size()) << log;
  // Lines are written by whichever I/O thread finished the request, so match them to the
  // requests by request id rather than by position.
  for (size_t i = 0; i < sent.size(); ++i) {
    ASSERT_FALSE(sent[i].request_id.empty()) << sent[i].path << ": no X-Request-Id";
    const auto found = std::find_if(access_lines.begin(), access_lines.end(), [&](const json& l) {
      return l.value("request_id", "") == sent[i].request_id;
    });
    ASSERT_NE(found, access_lines.end()) << "no log line for " << sent[i].path;
    const json& j = *found;
    EXPECT_EQ(j.value("method", ""), sent[i].method) << j.dump();
    EXPECT_EQ(j.value("path", "").rfind(sent[i].path, 0), 0u) << j.dump();
    EXPECT_EQ(j["status"], sent[i].status) << j.dump();
    ASSERT_TRUE(j.contains("duration_ms") && j["duration_ms"].is_number()) << j.dump();
    EXPECT_GE(j["duration_ms"].get<double>(), 0.0);
    ASSERT_TRUE(j.contains("request_id") && j["request_id"].is_string()) << j.dump();
    EXPECT_FALSE(j["request_id"].get<std::string>().empty());
  }
  std::set<std::string> ids;
  for (const auto& j : access_lines) ids.insert(j.value("request_id", ""));
  EXPECT_EQ(ids.size(), access_lines.size()) << "request ids repeat";

  for (const std::string& secret :
       {password, access, refresh_token, new_refresh, std::string(kTestJwtSecret)}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log contains a secret: " << secret;
  }
  // Token pieces are secrets too (the signature alone lets nobody in, but the whole
  // header.payload.signature must never appear, and neither should the signature).
  EXPECT_EQ(log.find(access.substr(access.rfind('.') + 1)), std::string::npos);
}

TEST(LifecycleTest, TextLogHasNoSecretsEither) {
  auto server = start_or_fail(ServeOptions());
  ASSERT_TRUE(server);
  const HttpClient client(server->port());
  const Account a = register_account(client, "textlog");
  ASSERT_TRUE(a.ok) << a.error;
  client.post("/auth/login", {{"email", a.email}, {"password", a.password}});
  client.get("/auth/me", a.auth());
  client.post("/auth/refresh", {{"refresh_token", a.refresh_token}});
  server->stop();
  const std::string log = server->captured_stderr();
  EXPECT_FALSE(log.empty());
  for (const std::string& secret :
       {a.password, a.access_token, a.refresh_token, std::string(kTestJwtSecret)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log contains a secret: " << secret;
  }
}

}  // namespace
}  // namespace latchkey::test
