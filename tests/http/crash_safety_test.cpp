// Crash safety: a write the server answered 200 is durable even if the process is SIGKILLed
// right after, and SIGTERM lets requests already in flight finish with complete responses.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace latchkey::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::unique_ptr<ServerProcess> start_or_fail(ServeOptions options) {
  std::string error;
  auto server = ServerProcess::start(std::move(options), &error);
  EXPECT_TRUE(server != nullptr) << error;
  return server;
}

ServeOptions unthrottled(const std::filesystem::path& data_dir) {
  return ServeOptions().args({"--auth-rate-limit", "100000"}).in_data_dir(data_dir);
}

// One item a writer created, and every content it sent for it in order. Only a prefix of
// `sent` was answered; whatever is stored must be the last answered value or a later one
// (a later PUT may have committed without its answer reaching us before the kill).
struct Written {
  std::string owner_token;
  std::string id;
  std::vector<std::string> sent;
  size_t answered = 0;  // index into `sent` of the last value answered 200
};

struct WriterResult {
  std::vector<Written> items;
  size_t answered_writes = 0;
  size_t unanswered_writes = 0;     // sent, connection lost before a whole response
  std::vector<std::string> errors;  // a complete response that was not 200
};

// Alternates POST /data (a new item) and PUT /data/{id} (new content for a recent one) on one
// keep-alive connection until `stop`, or until the server goes away.
WriterResult write_until_gone(uint16_t port, const Account& account, int writer,
                              const std::atomic<bool>& stop) {
  WriterResult out;
  auto conn = std::make_unique<Connection>(port);
  for (int n = 0; !stop.load() && n < 100000; ++n) {
    if (!conn->connected()) break;
    const bool put = n % 3 == 2 && !out.items.empty();
    Written* item = put ? &out.items[static_cast<size_t>(n) % out.items.size()] : nullptr;
    const std::string content =
        "w" + std::to_string(writer) + "-n" + std::to_string(n) + "-" + std::to_string(getpid());
    Response r;
    if (put) {
      item->sent.push_back(content);
      r = conn->request("PUT", "/data/" + item->id, account.auth(),
                        json{{"content", content}}.dump());
    } else {
      r = conn->request("POST", "/data", account.auth(),
                        json{{"title", "crash"}, {"content", content}}.dump());
    }
    if (r.status == 0) {
      ++out.unanswered_writes;
      break;  // the server was killed (or dropped us): stop writing
    }
    if (r.status != 200) {
      out.errors.push_back(std::to_string(r.status) + " " + r.body);
      continue;
    }
    ++out.answered_writes;
    if (put) {
      item->answered = item->sent.size() - 1;
      EXPECT_EQ(r.json().value("content", ""), content);
    } else {
      const std::string id = r.json().value("id", "");
      if (id.empty()) {
        out.errors.push_back("POST /data 200 without an id: " + r.body);
        continue;
      }
      out.items.push_back(Written{account.access_token, id, {content}, 0});
    }
  }
  return out;
}

TEST(CrashSafetyTest, EveryAnsweredWriteSurvivesSigkillMidLoad) {
  TempDir data;
  auto server = start_or_fail(unthrottled(data.path()));
  ASSERT_TRUE(server);

  constexpr int kWriters = 4;
  std::vector<Account> accounts;
  for (int i = 0; i < kWriters; ++i) {
    accounts.push_back(register_account(HttpClient(server->port()), "crash"));
    ASSERT_TRUE(accounts.back().ok) << accounts.back().error;
  }

  std::atomic<bool> stop{false};
  std::vector<WriterResult> results(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back(
        [&, i] { results[i] = write_until_gone(server->port(), accounts[i], i, stop); });
  }
  // Kill while every writer is mid-stream: no shutdown path, no final checkpoint.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(kill(server->pid(), SIGKILL), 0);
  stop = true;  // bounds the loop even if a writer somehow kept a connection
  for (auto& t : writers) t.join();
  const ExitStatus killed = server->stop();
  EXPECT_FALSE(killed.exited) << describe(killed);
  EXPECT_EQ(killed.signal, SIGKILL) << describe(killed);

  size_t answered = 0, unanswered = 0, items = 0;
  for (const auto& r : results) {
    EXPECT_TRUE(r.errors.empty()) << "a write got a non-200 answer: " << r.errors.front();
    answered += r.answered_writes;
    unanswered += r.unanswered_writes;
    items += r.items.size();
  }
  // Enough load for the kill to land mid-write (a slow sanitizer build still does hundreds).
  ASSERT_GE(answered, 50u) << "too little load to mean anything";
  std::cout << "[ crash    ] " << answered << " writes answered 200 (" << items << " items), "
            << unanswered << " in flight at SIGKILL\n";

  // Same data dir, same secret: the database must open (migrations, WAL recovery) and the
  // old access tokens must still work.
  auto again = start_or_fail(unthrottled(data.path()));
  ASSERT_TRUE(again) << "the server does not start on the killed server's data dir";
  const HttpClient client(again->port());
  EXPECT_EQ(client.get("/health").status, 200);

  size_t checked = 0;
  for (const auto& r : results) {
    for (const auto& item : r.items) {
      const Response got = client.get("/data/" + item.id, bearer(item.owner_token));
      ASSERT_EQ(got.status, 200) << "answered item " << item.id << " is gone: " << got.body;
      const std::string content = got.json().value("content", "");
      const auto first_ok = item.sent.begin() + static_cast<ptrdiff_t>(item.answered);
      EXPECT_NE(std::find(first_ok, item.sent.end(), content), item.sent.end())
          << "item " << item.id << " holds '" << content << "', expected '" << *first_ok
          << "' or a later value";
      ++checked;
    }
  }
  EXPECT_EQ(checked, items);
  // Listing agrees with the per-item reads, so the index is intact too.
  for (int i = 0; i < kWriters; ++i) {
    const Response list = client.get("/data?limit=1000", accounts[i].auth());
    ASSERT_EQ(list.status, 200) << list.body;
    const json body = list.json();
    const json& listed = body.is_array() ? body : body.value("items", json::array());
    EXPECT_GE(listed.size(), std::min<size_t>(results[i].items.size(), 1000)) << list.body;
  }
  // And the server takes new writes normally.
  const Response after =
      client.post("/data", {{"title", "after"}, {"content", "restart"}}, accounts[0].auth());
  EXPECT_EQ(after.status, 200) << after.body;
  const ExitStatus s = again->stop();
  EXPECT_TRUE(s.exited && s.code == 0) << describe(s) << again->captured_stderr();
}

TEST(CrashSafetyTest, SigtermLetsInFlightRequestsFinish) {
  // One hashing thread makes the registrations queue, so most of the batch is still queued or
  // hashing when SIGTERM arrives. Their Argon2id cost is kept low: the (niced) hashing thread
  // shares the cores with other suites under `ctest -j`, and the whole queue must drain within
  // the server's 10 s drain timeout.
  auto server = start_or_fail(
      ServeOptions().args({"--auth-rate-limit", "100000", "--hash-threads", "1",
                           "--argon2-iterations", "2", "--argon2-memory-kib", "19456"}));
  ASSERT_TRUE(server);
  const Account writer = register_account(HttpClient(server->port()), "term");
  ASSERT_TRUE(writer.ok) << writer.error;

  constexpr int kRegistrations = 12;
  constexpr int kWrites = 8;
  struct Outcome {
    Response response;
    SteadyClock::time_point at;
  };
  std::vector<Outcome> outcomes(kRegistrations + kWrites);
  std::atomic<int> sent{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kRegistrations + kWrites; ++i) {
    clients.emplace_back([&, i] {
      Connection conn(server->port());
      std::string bytes;
      if (i < kRegistrations) {
        bytes = build_request(
            "POST", "/auth/register", server->port(), {},
            json{{"email", unique_email("term")}, {"password", unique_password()}}.dump());
      } else {
        bytes = build_request("POST", "/data", server->port(), writer.auth(),
                              json{{"title", "t"}, {"content", std::to_string(i)}}.dump());
      }
      const bool ok = conn.connected() && conn.send_all(bytes);
      sent.fetch_add(1);
      if (ok) outcomes[i].response = conn.read_response();
      outcomes[i].at = SteadyClock::now();
    });
  }
  while (sent.load() < kRegistrations + kWrites) std::this_thread::yield();
  // Let the server read and dispatch what was sent; then stop it mid-batch.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto term_at = SteadyClock::now();
  const ExitStatus s = server->stop(std::chrono::seconds(20));
  for (auto& t : clients) t.join();

  EXPECT_TRUE(s.exited) << describe(s);
  EXPECT_EQ(s.code, 0) << server->captured_stderr();
  EXPECT_LT(s.took.count(), 15000) << "shutdown took " << s.took.count() << " ms";
  int after_term = 0;
  for (int i = 0; i < kRegistrations + kWrites; ++i) {
    const Response& r = outcomes[i].response;
    EXPECT_EQ(r.status, 200) << "request " << i << " accepted before SIGTERM got no complete "
                             << "answer: " << r.body;
    if (outcomes[i].at > term_at) ++after_term;
  }
  // Otherwise nothing was in flight and the test proved nothing.
  EXPECT_GE(after_term, 1) << "every request finished before SIGTERM";
  std::cout << "[ sigterm  ] " << after_term << " of " << kRegistrations + kWrites
            << " requests completed after SIGTERM; exit took " << s.took.count() << " ms\n";
}

}  // namespace
}  // namespace latchkey::test
