// Several latchkey processes on one PostgreSQL database, behind haproxy: what one node does
// (register, log out, rotate a refresh token, count failed logins) holds on every other node
// and through the balancer. Every node gets the same LATCHKEY_JWT_SECRET (the harness default),
// the app role's URL and the owner's URL for migrations.
#include <chrono>
#include <functional>
#include <thread>

#include "pg_support.hpp"
#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(MultiNodeTest, postgres);
LATCHKEY_SUITE_BACKENDS(MultiNodeLimitTest, postgres);

using SteadyClock = std::chrono::steady_clock;
using testing::PgCluster;

// `count` nodes on `db`, started one after the other (the first applies the migrations).
std::vector<std::unique_ptr<ServerProcess>> start_nodes(const PgDatabase& db, int count,
                                                        std::initializer_list<std::string> args,
                                                        std::string* error) {
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  for (int i = 0; i < count; ++i) {
    auto node = ServerProcess::start(on_postgres(ServeOptions().args(args), db), error);
    if (!node) {
      *error = "node " + std::to_string(i) + ": " + *error;
      return {};
    }
    if (const std::string backend = ready_backend(*node); backend != "postgres") {
      *error = "node " + std::to_string(i) + " is not on PostgreSQL (backend=" + backend + ")";
      return {};
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

// One cluster database, nodes A and B, and haproxy over both, shared by the suite.
class MultiNodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    error_.clear();
    try {
      const PgDatabase db = new_database(PgCluster::shared());
      app_url_ = db.app_url;
      nodes_ = start_nodes(db, 2, {"--auth-rate-limit", "100000"}, &error_);
    } catch (const std::exception& e) {
      error_ = e.what();
    }
    if (nodes_.size() != 2) return;
    balancer_ = Haproxy::start({{"a", nodes_[0]->port()}, {"b", nodes_[1]->port()}}, &error_);
    if (balancer_ && !balancer_->wait_all_up(std::chrono::seconds(10))) {
      error_ = "haproxy's health checks did not see both nodes UP:\n" + balancer_->log();
      balancer_.reset();
    }
  }
  static void TearDownTestSuite() {
    balancer_.reset();
    for (auto& node : nodes_) {
      const ExitStatus s = node->stop();
      EXPECT_TRUE(s.exited && s.code == 0) << describe(s) << "\n" << node->captured_stderr();
    }
    nodes_.clear();
  }
  void SetUp() override {
    // No silent skip: without haproxy (or PostgreSQL) these tests fail and say why.
    ASSERT_TRUE(nodes_.size() == 2 && balancer_) << error_;
    for (auto& node : nodes_) ASSERT_TRUE(node->running()) << node->captured_stderr();
  }

  static HttpClient a() { return HttpClient(nodes_[0]->port()); }
  static HttpClient b() { return HttpClient(nodes_[1]->port()); }
  static HttpClient lb() { return HttpClient(balancer_->port()); }

  static std::vector<std::unique_ptr<ServerProcess>> nodes_;
  static std::unique_ptr<Haproxy> balancer_;
  static std::string error_;
  static std::string app_url_;
};
std::string MultiNodeTest::app_url_;
std::vector<std::unique_ptr<ServerProcess>> MultiNodeTest::nodes_;
std::unique_ptr<Haproxy> MultiNodeTest::balancer_;
std::string MultiNodeTest::error_;

TEST_F(MultiNodeTest, RegisterOnOneNodeLogInOnTheOtherTokenWorksEverywhere) {
  const Account u = register_account(a(), "nodes");
  ASSERT_TRUE(u.ok) << u.error;
  const Response login = b().post("/auth/login", {{"email", u.email}, {"password", u.password}});
  ASSERT_EQ(login.status, 200) << "node b does not know a user registered on a: " << login.body;
  const std::string token = login.json()["access_token"];
  for (const auto& [name, node] : {std::pair{"a", a()}, {"b", b()}, {"haproxy", lb()}}) {
    const Response me = node.get("/auth/me", bearer(token));
    ASSERT_EQ(me.status, 200) << name << ": " << me.body;
    EXPECT_EQ(me.json()["id"], u.id) << name;
  }
  // Several requests through the balancer: it alternates, so both nodes serve this token.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lb().get("/auth/me", bearer(token)).status, 200) << i;
}

// Issue 12: a rotation made against the shared database (as an operator does, on any machine)
// reaches every running node within 10 s, and each node verifies the other's new tokens.
TEST_F(MultiNodeTest, AKeyRotationReachesEveryNodeWithin10Seconds) {
  const Account u = register_account(a(), "noderotate");
  ASSERT_TRUE(u.ok) << u.error;
  const RunResult rotated =
      run_latchkey({"keys", "rotate", "--jwt-algorithm", "ES256", "--database-url", app_url_},
                   {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}}, nodes_[0]->data_dir());
  ASSERT_EQ(rotated.status.code, 0) << rotated.err;
  const std::string kid = rotated.out.substr(0, rotated.out.find(' '));
  const auto started = SteadyClock::now();
  std::string from_a, from_b;
  auto login = [&](const HttpClient& node) -> std::string {
    const Response r = node.post("/auth/login", {{"email", u.email}, {"password", u.password}});
    return r.status == 200 ? r.json()["access_token"].get<std::string>() : std::string();
  };
  while (SteadyClock::now() - started < std::chrono::seconds(10)) {
    from_a = login(a());
    from_b = login(b());
    if (jwt_part(from_a, 0)["kid"] == kid && jwt_part(from_b, 0)["kid"] == kid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(jwt_part(from_a, 0)["kid"], kid) << "node a does not sign with the new key";
  EXPECT_EQ(jwt_part(from_b, 0)["kid"], kid) << "node b does not sign with the new key";
  EXPECT_EQ(jwt_part(from_a, 0)["alg"], "ES256");
  EXPECT_EQ(b().get("/auth/me", bearer(from_a)).status, 200);
  EXPECT_EQ(a().get("/auth/me", bearer(from_b)).status, 200);
  EXPECT_EQ(a().get("/auth/me", u.auth()).status, 200) << "the HS256 token from before";
  EXPECT_EQ(b().get("/.well-known/jwks.json").json()["keys"][0]["kid"], kid);
}

TEST_F(MultiNodeTest, ItemsWrittenOnOneNodeAreReadOnTheOther) {
  const Account u = register_account(a(), "nodedata");
  ASSERT_TRUE(u.ok) << u.error;
  const Response created = a().post("/data", {{"title", "t"}, {"content", "c"}}, u.auth());
  ASSERT_EQ(created.status, 200) << created.body;
  const Response got = b().get("/data/" + created.json()["id"].get<std::string>(), u.auth());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), created.json());
}

TEST_F(MultiNodeTest, LogoutOnOneNodeIsRefusedOnTheOtherWithinOneSecond) {
  const Account u = register_account(a(), "nodelogout");
  ASSERT_TRUE(u.ok) << u.error;
  ASSERT_EQ(b().get("/auth/me", u.auth()).status, 200) << "node b does not accept the token";
  const auto logged_out = SteadyClock::now();
  ASSERT_EQ(a().post("/auth/logout", json::object(), u.auth()).status, 200);
  Response r;
  while ((r = b().get("/auth/me", u.auth())).status == 200 &&
         SteadyClock::now() - logged_out < std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto took = SteadyClock::now() - logged_out;
  EXPECT_TRUE(IsUnauthorized(r)) << r.status << " " << r.body;
  EXPECT_LT(took, std::chrono::seconds(1))
      << "node b still accepted the token "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms after logout";
  EXPECT_TRUE(IsUnauthorized(b().get("/data", u.auth())));
  EXPECT_TRUE(IsUnauthorized(lb().get("/auth/me", u.auth())));
  EXPECT_TRUE(IsErrorBody(b().post("/auth/refresh", {{"refresh_token", u.refresh_token}}), 401));
}

TEST_F(MultiNodeTest, RefreshReuseOnOtherNodeRevokesTheSessionEverywhere) {
  const Account u = register_account(a(), "nodereuse");
  ASSERT_TRUE(u.ok) << u.error;
  const Response rotated = a().post("/auth/refresh", {{"refresh_token", u.refresh_token}});
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string newest_refresh = rotated.json()["refresh_token"];
  const std::string newest_access = rotated.json()["access_token"];
  ASSERT_EQ(b().get("/auth/me", bearer(newest_access)).status, 200);

  // The rotated-away token, replayed on the other node: reuse, the whole session goes.
  EXPECT_TRUE(IsErrorBody(b().post("/auth/refresh", {{"refresh_token", u.refresh_token}}), 401));
  EXPECT_TRUE(IsErrorBody(b().post("/auth/refresh", {{"refresh_token", newest_refresh}}), 401))
      << "the newest refresh token still works on b after reuse was detected";
  EXPECT_TRUE(IsErrorBody(a().post("/auth/refresh", {{"refresh_token", newest_refresh}}), 401))
      << "the newest refresh token still works on a after reuse was detected on b";
  EXPECT_TRUE(IsUnauthorized(a().get("/auth/me", bearer(newest_access))));
  EXPECT_TRUE(IsUnauthorized(b().get("/auth/me", bearer(newest_access))));
}

TEST_F(MultiNodeTest, LoginBackoffCountsAcrossNodes) {
  // How many wrong passwords until 429, on one node and alternating between two: a counter
  // kept per node would let the alternating attacker try about twice as often.
  auto attempts_until_429 = [](const std::vector<HttpClient>& nodes, const std::string& email) {
    for (int i = 0; i < 40; ++i) {
      const Response r = nodes[i % nodes.size()].post(
          "/auth/login", {{"email", email}, {"password", "wrong-password-" + std::to_string(i)}});
      if (r.status == 429) return i + 1;
      if (r.status != 401) return -r.status;
    }
    return 0;
  };
  const Account one = register_account(a(), "backoff-one");
  const Account two = register_account(a(), "backoff-two");
  ASSERT_TRUE(one.ok && two.ok) << one.error << two.error;
  const int single = attempts_until_429({a()}, one.email);
  ASSERT_GT(single, 1) << "one node: no 429 within 40 attempts (or another status)";
  const int alternating = attempts_until_429({a(), b()}, two.email);
  EXPECT_EQ(alternating, single) << "alternating a/b reached 429 after " << alternating
                                 << " attempts, one node after " << single;
  // The throttled account is throttled on both nodes and through the balancer.
  for (const auto& node : {a(), b(), lb()}) {
    EXPECT_EQ(node.post("/auth/login", {{"email", two.email}, {"password", two.password}}).status,
              429);
  }
}

TEST_F(MultiNodeTest, TrafficThroughHaproxySpreadsOverBothNodes) {
  const auto before = balancer_->stats();
  ASSERT_EQ(before.size(), 2u);
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) {
    const Response r = lb().get("/health");
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
  }
  const auto after = balancer_->stats();
  long total = 0;
  for (const char* name : {"a", "b"}) {
    const long served = after.at(name).responses_2xx - before.at(name).responses_2xx;
    total += served;
    // Roundrobin: 10 each; at least a quarter each allows for other tests' stray requests.
    EXPECT_GE(served, kRequests / 4)
        << "node " << name << " served " << served << " of " << kRequests;
  }
  EXPECT_EQ(total, kRequests);
}

// Per-address budgets with a small limit: its own databases and nodes, so the main suite's
// traffic does not spend the budget.
TEST(MultiNodeLimitTest, PerAddressLimitCountsAcrossNodes) {
  constexpr int kLimit = 4;
  const std::initializer_list<std::string> args = {"--auth-rate-limit", std::to_string(kLimit)};
  std::string error;
  std::vector<std::unique_ptr<ServerProcess>> single, pair;
  ASSERT_NO_THROW(single = start_nodes(new_database(PgCluster::shared()), 1, args, &error));
  ASSERT_EQ(single.size(), 1u) << error;
  ASSERT_NO_THROW(pair = start_nodes(new_database(PgCluster::shared()), 2, args, &error));
  ASSERT_EQ(pair.size(), 2u) << error;

  // Logins for emails nobody has (a fresh one each, so no per-email backoff interferes).
  auto attempts_until_429 = [](const std::vector<uint16_t>& ports, const std::string& tag) {
    for (int i = 0; i < 20; ++i) {
      const Response r =
          HttpClient(ports[i % ports.size()])
              .post("/auth/login", {{"email", unique_email(tag)}, {"password", "wrong-password"}});
      if (r.status == 429) return i + 1;
      if (r.status != 401) return -r.status;
    }
    return 0;
  };
  const int one_node = attempts_until_429({single[0]->port()}, "addr-one");
  EXPECT_EQ(one_node, kLimit + 1);
  const int two_nodes = attempts_until_429({pair[0]->port(), pair[1]->port()}, "addr-two");
  EXPECT_EQ(two_nodes, one_node) << "alternating nodes got " << two_nodes - 1
                                 << " attempts through, one node " << one_node - 1;
  // Spent on one node: spent on both.
  for (auto& node : pair) {
    EXPECT_EQ(
        HttpClient(node->port())
            .post("/auth/register", {{"email", unique_email("addr")}, {"password", "long enough"}})
            .status,
        429);
  }
}

}  // namespace
}  // namespace latchkey::test
