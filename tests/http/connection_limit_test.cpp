// Connection limits against the real binary: a low open-file limit, clients holding more
// idle sockets than it allows, and one client address holding more than its share. Whatever
// is held, a new client gets an answer (200, or a clean 503 and a close) and the log stays
// readable. Regression tests for #8 (accept() failing with EMFILE was retried and logged
// every 50 ms while new clients hung in the backlog).
#include <chrono>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace latchkey::test {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<ServerProcess> start_or_fail(ServeOptions options) {
  std::string error;
  auto server = ServerProcess::start(std::move(options), &error);
  EXPECT_TRUE(server != nullptr) << error;
  return server;
}

std::vector<std::string> lines_with(const std::string& log, std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(text) != std::string::npos) out.push_back(line);
  }
  return out;
}

// A 503 as the server refuses connections: the error body, and the connection closed.
::testing::AssertionResult IsCleanRefusal(Connection& c, const Response& r) {
  if (auto body = IsErrorBody(r, 503); !body) return body;
  if (r.header("Connection").value_or("") != "close") {
    return ::testing::AssertionFailure() << "503 without Connection: close";
  }
  if (!c.closed_by_peer(5000)) {
    return ::testing::AssertionFailure() << "the connection stayed open after the 503";
  }
  return ::testing::AssertionSuccess();
}

// GET /health on fresh connections until one answers 200; the last response otherwise.
Response health_until_ok(uint16_t port, Clock::duration within) {
  const auto deadline = Clock::now() + within;
  for (;;) {
    Connection c(port);
    Response r = c.request("GET", "/health");
    if (r.status == 200 || Clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // retry pacing, not a wait
  }
}

TEST(ConnectionLimitTest, IdleSocketsBeyondTheDescriptorLimitLeaveTheServerAnswering) {
  // The soft limit starts low; the server raises it to the hard one and fits its connection
  // cap below that.
  constexpr uint64_t kSoft = 64;
  constexpr uint64_t kHard = 192;
  constexpr int kHeld = 300;  // idle sockets, well beyond every descriptor the server has
  auto server = start_or_fail(ServeOptions().open_file_limit(kSoft, kHard));
  ASSERT_TRUE(server);
  ASSERT_EQ(HttpClient(server->port()).get("/health").status, 200);

  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < kHeld; ++i) {
    held.push_back(std::make_unique<Connection>(server->port()));
    ASSERT_TRUE(held.back()->connected()) << "connection " << i;
  }
  // While they are held: a new client hears 503 at once (the cap is full) and is closed,
  // instead of waiting in the backlog for a descriptor.
  {
    Connection fresh(server->port());
    ASSERT_TRUE(fresh.connected());
    const Response r = fresh.request("GET", "/health");
    if (r.status != 200) {
      EXPECT_TRUE(IsCleanRefusal(fresh, r)) << r.status << " " << r.body;
    }
  }
  held.clear();
  const Response r = health_until_ok(server->port(), std::chrono::seconds(15));
  EXPECT_EQ(r.status, 200) << "the server did not recover once the sockets closed: " << r.body;

  const std::string log = server->captured_stderr();
  EXPECT_LE(lines_with(log, "accept failed").size(), 3u) << log;
  const auto limit_lines = lines_with(log, "connection limit");
  ASSERT_EQ(limit_lines.size(), 1u) << log;
  EXPECT_NE(limit_lines[0].find("descriptor_limit=" + std::to_string(kHard)), std::string::npos)
      << "the soft limit was not raised to the hard one: " << limit_lines[0];
}

TEST(ConnectionLimitTest, ConnectionsPerAddressAreCapped) {
  auto server = start_or_fail(ServeOptions().args({"--max-connections-per-ip", "3"}));
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Connection>(server->port()));
    ASSERT_EQ(held.back()->request("GET", "/health").status, 200) << "connection " << i;
  }
  {
    Connection fourth(server->port());
    const Response r = fourth.request("GET", "/health");
    EXPECT_TRUE(IsCleanRefusal(fourth, r)) << r.status << " " << r.body;
  }
  // Another address is counted on its own (127.0.0.2 is loopback too).
  {
    Connection other(server->port(), "127.0.0.2");
    ASSERT_TRUE(other.connected());
    EXPECT_EQ(other.request("GET", "/health").status, 200);
  }
  // The ones held are unaffected.
  EXPECT_EQ(held[0]->request("GET", "/health").status, 200);

  // Once one closes (the server has seen it: its close follows ours), a new one is served.
  held[0]->shutdown_send();
  ASSERT_TRUE(held[0]->closed_by_peer(5000));
  held.erase(held.begin());
  Connection next(server->port());
  EXPECT_EQ(next.request("GET", "/health").status, 200);
}

}  // namespace
}  // namespace latchkey::test
