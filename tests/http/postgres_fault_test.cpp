// PostgreSQL goes away under load and comes back: latchkey answers 503 quickly while it is
// down (health included), never crashes, serves again within seconds of the restart without
// being restarted itself, and loses no write it acknowledged.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "pg_support.hpp"
#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(PostgresFaultTest, postgres);

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::PgCluster;

long ms_since(SteadyClock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - t).count();
}

// A few client threads doing GET /data/{id} and POST /data, recording what was answered.
class Load {
 public:
  Load(uint16_t port, std::string token, std::string item_id)
      : port_(port), token_(std::move(token)), item_id_(std::move(item_id)) {}
  ~Load() { stop(); }

  void start(int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, t] { run(t); });
    }
  }
  void stop() {
    running_ = false;
    for (auto& th : threads_) th.join();
    threads_.clear();
  }

  struct Tally {
    long ok = 0, unavailable = 0, other = 0, slowest_ms = 0;
    std::vector<std::string> others;  // status and body of unexpected answers (first few)
  };
  Tally tally() const {
    std::lock_guard lock(mu_);
    return tally_;
  }
  // Items whose POST /data was answered 200: id -> title.
  std::map<std::string, std::string> acknowledged() const {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }

 private:
  void run(int thread) {
    const HttpClient client(port_);
    for (long n = 0; running_; ++n) {
      const bool write = n % 2 == 1;
      const std::string title = "load-" + std::to_string(thread) + "-" + std::to_string(n);
      const auto sent = SteadyClock::now();
      const Response r =
          write ? client.post("/data", {{"title", title}, {"content", "x"}}, bearer(token_))
                : client.get("/data/" + item_id_, bearer(token_));
      const long took = ms_since(sent);
      std::lock_guard lock(mu_);
      tally_.slowest_ms = std::max(tally_.slowest_ms, took);
      if (r.status == 200) {
        ++tally_.ok;
        if (write) acknowledged_[r.json().value("id", "")] = title;
      } else if (r.status == 503) {
        ++tally_.unavailable;
      } else {
        ++tally_.other;
        if (tally_.others.size() < 5)
          tally_.others.push_back(std::to_string(r.status) + " " + r.body);
      }
      if (r.status != 200) std::this_thread::sleep_for(milliseconds(20));
    }
  }

  const uint16_t port_;
  const std::string token_;
  const std::string item_id_;
  std::atomic<bool> running_{true};
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  Tally tally_;
  std::map<std::string, std::string> acknowledged_;
};

TEST(PostgresFaultTest, ClusterRestartUnderLoadAnswers503ThenRecoversWithoutLosingWrites) {
  // Its own cluster: this test stops it.
  std::unique_ptr<PgCluster> cluster;
  ASSERT_NO_THROW(cluster = std::make_unique<PgCluster>());
  const std::string database = cluster->create_database();
  std::string error;
  auto server =
      ServerProcess::start(on_postgres(ServeOptions().args({"--auth-rate-limit", "100000"}),
                                       {cluster->app_url(database), cluster->owner_url(database)}),
                           &error);
  ASSERT_TRUE(server) << error;
  ASSERT_EQ(ready_backend(*server), "postgres");
  const HttpClient client(server->port());
  const Account u = register_account(client, "fault");
  ASSERT_TRUE(u.ok) << u.error;
  const Response seed = client.post("/data", {{"title", "seed"}, {"content", "s"}}, u.auth());
  ASSERT_EQ(seed.status, 200) << seed.body;
  const std::string seed_id = seed.json()["id"];

  Load load(server->port(), u.access_token, seed_id);
  load.start(3);
  std::this_thread::sleep_for(milliseconds(800));
  const long ok_before = load.tally().ok;
  ASSERT_GT(ok_before, 0) << "the load got no 200 before the fault";

  cluster->stop();  // pg_ctl stop -m fast: open connections are terminated
  const auto down = SteadyClock::now();
  // While it is down: each answer is a 503, and quick.
  int health_checks = 0;
  while (ms_since(down) < 3000) {
    const auto sent = SteadyClock::now();
    const Response health = client.get("/health");
    EXPECT_LT(ms_since(sent), 5000) << "GET /health hung while PostgreSQL was down";
    EXPECT_EQ(health.status, 503) << health.body;
    EXPECT_EQ(health.json().value("status", ""), "unhealthy") << health.body;
    const auto sent_get = SteadyClock::now();
    const Response get = client.get("/data/" + seed_id, u.auth());
    EXPECT_LT(ms_since(sent_get), 5000) << "GET /data/{id} hung while PostgreSQL was down";
    EXPECT_TRUE(IsErrorBody(get, 503)) << get.status << " " << get.body;
    ++health_checks;
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_GT(health_checks, 2);
  ASSERT_TRUE(server->running()) << "latchkey died with PostgreSQL down:\n"
                                 << server->captured_stderr();
  const Load::Tally during = load.tally();

  cluster->start();
  const auto up = SteadyClock::now();
  Response back;
  while (ms_since(up) < 10000) {
    back = client.get("/data/" + seed_id, u.auth());
    if (back.status == 200) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  const long recovered_ms = ms_since(up);
  ASSERT_EQ(back.status, 200) << "still not serving 10 s after PostgreSQL came back: " << back.body
                              << "\n"
                              << server->captured_stderr();
  EXPECT_LT(recovered_ms, 5000) << "serving again took " << recovered_ms << " ms";
  EXPECT_EQ(client.get("/health").status, 200);
  const long ok_at_restart = load.tally().ok;
  std::this_thread::sleep_for(milliseconds(1000));
  load.stop();

  const Load::Tally t = load.tally();
  EXPECT_GT(during.unavailable, 0) << "the load saw no 503 while PostgreSQL was down";
  EXPECT_GT(t.ok, ok_at_restart) << "the load did not recover after the restart";
  EXPECT_EQ(t.other, 0) << "answers other than 200/503, e.g.: "
                        << (t.others.empty() ? "" : t.others.front());
  EXPECT_LT(t.slowest_ms, 5000) << "a load request took " << t.slowest_ms << " ms";
  ASSERT_TRUE(server->running()) << server->captured_stderr();

  // Every write answered 200 is there, before, during or after the outage.
  const auto acknowledged = load.acknowledged();
  ASSERT_FALSE(acknowledged.empty());
  long missing = 0;
  for (const auto& [id, title] : acknowledged) {
    const Response r = client.get("/data/" + id, u.auth());
    if (r.status != 200 || r.json().value("title", "") != title) {
      ++missing;
      ADD_FAILURE() << "acknowledged item " << id << " (" << title << "): " << r.status << " "
                    << r.body;
      if (missing > 5) break;
    }
  }
  const ExitStatus s = server->stop();
  EXPECT_TRUE(s.exited && s.code == 0) << describe(s) << "\n" << server->captured_stderr();
  std::printf(
      "[ fault    ] %zu writes acknowledged, all present; %ld ok, %ld 503 during the "
      "outage; serving again %ld ms after the restart\n",
      acknowledged.size(), t.ok, during.unavailable, recovered_ms);
}

}  // namespace
}  // namespace latchkey::test
