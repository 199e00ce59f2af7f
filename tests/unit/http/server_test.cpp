#include "http/server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_client.hpp"

namespace latchkey::http {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::ParsedResponse;

constexpr std::string_view kStaticAsset = "static asset bytes";

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

std::string method_name(Method m) {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
    case Method::options:
      return "OPTIONS";
    case Method::other:
      return "OTHER";
  }
  return "?";
}

// Echoes what it was given; some paths answer from another thread, late, or badly.
class TestHandler : public Handler {
 public:
  ~TestHandler() override {
    std::lock_guard lock(mu_);
    for (auto& t : threads_) t.join();
  }

  void handle(Request req, Reply reply) override {
    if (req.path == "/echo") {
      reply(
          text(200, method_name(req.method) + " " + req.path + " ?" + req.query + " " + req.body));
    } else if (req.path == "/slow" || req.path == "/thread") {
      const auto delay = req.path == "/slow" ? 400ms : 0ms;
      std::lock_guard lock(mu_);
      threads_.emplace_back([delay, reply = std::move(reply), body = req.body] {
        std::this_thread::sleep_for(delay);
        reply(text(200, "late " + body));
      });
    } else if (req.path == "/static") {
      Response r;
      r.content_type = "text/css";
      r.static_body = kStaticAsset;
      reply(std::move(r));
    } else if (req.path == "/id") {
      reply(text(200, req.request_id));
    } else if (req.path == "/header") {
      reply(text(200, std::string(req.header("x-test"))));
    } else if (req.path == "/inject") {
      Response r = text(200, "ok");
      r.headers.push_back({"X-Evil", "a\r\nSet-Cookie: stolen=1"});
      r.headers.push_back({"X-Fine", "yes"});
      reply(std::move(r));
    } else if (req.path == "/drop") {
      // Drops the reply without calling it.
    } else if (req.path == "/throw") {
      throw std::runtime_error("handler bug");
    } else {
      reply(text(404, "not found"));
    }
  }

  Response protocol_error(int status, std::string_view message) override {
    return text(status, "refused: " + std::string(message));
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    server_ = std::make_unique<Server>(o, handler_);
    auto listening = server_->listen();
    ASSERT_TRUE(listening) << listening.error().message;
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  uint16_t port() const { return server_->port(); }

  TestHandler handler_;  // outlives the server: late replies find the server gone
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  Client c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get("/echo?a=1&b=2")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "GET /echo ?a=1&b=2 ");
  EXPECT_EQ(first->header("server"), "latchkey");
  EXPECT_EQ(first->header("content-type"), "text/plain");
  EXPECT_TRUE(first->has("date"));
  EXPECT_FALSE(first->has("connection"));

  ASSERT_TRUE(c.send(post("/echo", "hello")));
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "POST /echo ? hello");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  Client c(port());
  // The first answer comes late from another thread; the others must still wait their turn.
  ASSERT_TRUE(c.send(post("/slow", "one") + post("/echo", "two") + post("/thread", "three")));
  auto one = c.read_response();
  auto two = c.read_response();
  auto three = c.read_response();
  ASSERT_TRUE(one && two && three);
  EXPECT_EQ(one->body, "late one");
  EXPECT_EQ(two->body, "POST /echo ? two");
  EXPECT_EQ(three->body, "late three");
}

TEST_F(ServerTest, ReplyFromAnotherThreadIsWritten) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(post("/thread", "x")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "late x");
}

struct RefusalCase {
  const char* name;
  std::string request;
  int status;
};

TEST_F(ServerTest, MalformedOrOversizedRequestsAreRefusedAndClosed) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 2048;
  o.max_target_bytes = 512;
  start(o);
  const RefusalCase cases[] = {
      {"body over limit", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", 413},
      {"chunked body over limit",
       "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
           std::string(2048, 'b') + "\r\n0\r\n\r\n",
       413},
      {"huge header", get("/echo", "X-Big: " + std::string(4000, 'h') + "\r\n"), 431},
      {"long target within header limit", get("/" + std::string(1000, 'a')), 414},
      {"long target beyond header limit", get("/" + std::string(5000, 'a')), 414},
      {"garbage", "\x01\x02 hello there\r\n\r\n", 400},
      {"transfer-encoding other than chunked",
       "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400},
      {"HTTP/1.0 with transfer-encoding",
       "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n",
       400},
      {"obs-folded header",
       "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", 400},
      {"bad version", "GET / HTTP/9.9\r\n\r\n", 400},
      {"bad content length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    Client c(port());
    ASSERT_TRUE(c.send(tc.request));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, tc.status);
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_EQ(r->body.rfind("refused: ", 0), 0u) << r->body;
    EXPECT_TRUE(c.closed_by_peer());
  }
}

TEST_F(ServerTest, SlowlorisHeadIsCutOffAfterHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 1s;
  start(o);
  Client c(port());
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\n"));
  // One header byte every 200 ms: progress, but never a whole head.
  std::atomic<bool> answered{false};
  std::thread trickle([&c, &answered] {
    for (int i = 0; i < 12 && !answered; ++i) {
      std::this_thread::sleep_for(200ms);
      if (!c.send("X")) return;
    }
  });
  auto r = c.read_response();
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  answered = true;
  trickle.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 2000ms);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 1s;
  start(o);
  Client c(port());
  ASSERT_TRUE(c.send(get("/echo")));
  ASSERT_TRUE(c.read_response());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer());  // silently: no request, nothing to answer
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2500ms);
}

TEST_F(ServerTest, StopDrainsInFlightRequestAndClosesIdleConnections) {
  start();
  Client idle(port());
  ASSERT_TRUE(idle.send(get("/echo")));
  ASSERT_TRUE(idle.read_response());

  Client busy(port());
  ASSERT_TRUE(busy.send(post("/slow", "drain")));
  std::this_thread::sleep_for(100ms);  // the request is now with the handler
  const auto begin = std::chrono::steady_clock::now();
  server_->stop();

  EXPECT_TRUE(idle.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 300ms);
  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "late drain");
  EXPECT_EQ(r->header("connection"), "close");
  thread_.join();  // run() returns once the last connection is gone
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  Client late(port());
  EXPECT_FALSE(late.connected());
}

TEST_F(ServerTest, DrainTimeoutAbandonsStuckRequestAndLateReplyIsHarmless) {
  ServerOptions o;
  o.drain_timeout = 0s;
  start(o);
  Client busy(port());
  ASSERT_TRUE(busy.send(post("/slow", "stuck")));
  std::this_thread::sleep_for(100ms);
  const auto begin = std::chrono::steady_clock::now();
  server_->stop();
  thread_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 300ms);
  server_.reset();  // the handler replies ~300 ms later, to a server that is gone
  EXPECT_TRUE(busy.closed_by_peer());
  std::this_thread::sleep_for(400ms);
}

TEST_F(ServerTest, StaticBodyIsServed) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(get("/static")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, kStaticAsset);
  EXPECT_EQ(r->header("content-type"), "text/css");
}

TEST_F(ServerTest, HeadGetsHeadersWithoutBody) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("HEAD /static HTTP/1.1\r\nHost: t\r\n\r\n" + get("/echo")));
  auto head = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(kStaticAsset.size()));
  // Had the server sent a body, it would now be parsed as the next response's status line.
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /echo ? ");
}

TEST_F(ServerTest, ValidRequestIdIsReusedOtherwiseOneIsGenerated) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(get("/id", "X-Request-Id: abc.DEF_12-3\r\n")));
  auto reused = c.read_response();
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->body, "abc.DEF_12-3");
  EXPECT_EQ(reused->header("x-request-id"), "abc.DEF_12-3");

  for (const std::string& bad :
       {std::string("has space"), std::string(65, 'a'), std::string("quote\"")}) {
    ASSERT_TRUE(c.send(get("/id", "X-Request-Id: " + bad + "\r\n")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body.size(), 16u);
    EXPECT_EQ(r->body.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(r->header("x-request-id"), r->body);
  }
  ASSERT_TRUE(c.send(get("/id")));
  auto a = c.read_response();
  ASSERT_TRUE(c.send(get("/id")));
  auto b = c.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->body, b->body);
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("body"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /echo ? body");
}

TEST_F(ServerTest, ChunkedBodyIsDecoded) {
  start();
  Client c(port());
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
             "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /echo ? abcde");
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsClosedAfterResponse) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("GET /echo HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());

  Client k(port());
  ASSERT_TRUE(k.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto kept = k.read_response();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("connection"), "keep-alive");
}

TEST_F(ServerTest, HandlerFailuresBecome500) {
  start();
  Client c(port());
  for (const char* path : {"/drop", "/throw"}) {
    SCOPED_TRACE(path);
    ASSERT_TRUE(c.send(get(path)));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
  }
  ASSERT_TRUE(c.send(get("/echo")));  // the connection survives a handler bug
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ResponseHeaderWithLineBreakIsDropped) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(get("/inject")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has("x-evil"));
  EXPECT_FALSE(r->has("set-cookie"));
  EXPECT_EQ(r->header("x-fine"), "yes");
}

TEST_F(ServerTest, ConnectionsBeyondLimitGet503) {
  ServerOptions o;
  o.max_connections = 1;
  start(o);
  Client first(port());
  ASSERT_TRUE(first.send(get("/echo")));
  ASSERT_TRUE(first.read_response());
  Client second(port());
  ASSERT_TRUE(second.send(get("/echo")));
  auto r = second.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(second.closed_by_peer());
  // The first connection is unaffected.
  ASSERT_TRUE(first.send(get("/echo")));
  auto again = first.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// The lowest `free_wanted` descriptor numbers not in use, plus one: the RLIMIT_NOFILE at which
// this process can open exactly that many more.
rlim_t limit_leaving_free(int free_wanted) {
  std::set<int> open;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    open.insert(std::stoi(entry.path().filename().string()));
  }
  int free = 0;
  for (int fd = 0;; ++fd) {
    // The directory's own descriptor is listed but closed again by now.
    if (open.count(fd) == 0 || ::fcntl(fd, F_GETFD) < 0) ++free;
    if (free == free_wanted) return static_cast<rlim_t>(fd + 1);
  }
}

// Restores the soft RLIMIT_NOFILE it lowered.
class OpenFileLimit {
 public:
  explicit OpenFileLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    ok_ = ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~OpenFileLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// Regression for #8: out of descriptors, accept() failed with EMFILE and was retried every
// 50 ms (each failure logged) while the client waited in the backlog with no answer.
TEST_F(ServerTest, OutOfDescriptorsNewConnectionsGet503FromTheReserve) {
  start();  // max_connections 20000: only the descriptor limit stops it here
  // One request per I/O loop first: a loop sets up its reactor (three descriptors) on its
  // first connection, and must have done so before descriptors run out.
  for (int i = 0; i < 4; ++i) {
    Client warm(port());
    ASSERT_TRUE(warm.send(get("/echo")));
    ASSERT_TRUE(warm.read_response());
    // Closed on both sides before counting descriptors: the server's close precedes our EOF.
    warm.shutdown_send();
    ASSERT_TRUE(warm.closed_by_peer());
  }
  constexpr int kServed = 2;
  constexpr int kClients = 6;
  // Every client's descriptor is taken before the limit drops, so only the server's accept()
  // runs short: it can open kServed more.
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(port(), 5s, /*connect_now=*/false));
  }
  std::vector<std::optional<ParsedResponse>> answers;
  std::vector<bool> closed;
  {
    OpenFileLimit limit(limit_leaving_free(kServed));
    ASSERT_TRUE(limit.ok());
    for (auto& c : clients) {
      ASSERT_TRUE(c->connect());
      ASSERT_TRUE(c->send(get("/echo")));
      answers.push_back(c->read_response());
      closed.push_back(answers.back() && answers.back()->status == 503 && c->closed_by_peer());
    }
  }
  for (int i = 0; i < kClients; ++i) {
    SCOPED_TRACE("client " + std::to_string(i));
    ASSERT_TRUE(answers[size_t(i)]) << "no answer";
    if (i < kServed) {
      EXPECT_EQ(answers[size_t(i)]->status, 200);
    } else {
      EXPECT_EQ(answers[size_t(i)]->status, 503);
      EXPECT_EQ(answers[size_t(i)]->header("connection"), "close");
      EXPECT_EQ(answers[size_t(i)]->body, "refused: Service Unavailable");
      EXPECT_TRUE(closed[size_t(i)]);
    }
  }
  // Descriptors back: served again, the reserve taken back.
  clients.clear();
  Client after(port());
  ASSERT_TRUE(after.send(get("/echo")));
  auto r = after.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ConnectionsPerAddressBeyondTheCapGet503) {
  ServerOptions o;
  o.max_connections_per_ip = 2;
  start(o);
  Client first(port());
  Client second(port());
  for (Client* c : {&first, &second}) {
    ASSERT_TRUE(c->send(get("/echo")));
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  Client third(port());
  ASSERT_TRUE(third.send(get("/echo")));
  auto refused = third.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_TRUE(third.closed_by_peer());
  // The first one closes; once the server has closed its side, its slot is free again.
  first.shutdown_send();
  EXPECT_TRUE(first.closed_by_peer());
  Client fourth(port());
  ASSERT_TRUE(fourth.send(get("/echo")));
  auto r = fourth.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ListenOnBusyPortIsUnavailable) {
  start();
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = port();
  Server other(o, handler_);
  auto r = other.listen();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_NE(r.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(port())),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("in use"), std::string::npos) << r.error().message;
}

TEST(ServerStandalone, StopBeforeRunMakesRunReturn) {
  TestHandler handler;
  ServerOptions o;
  o.host = "localhost";
  o.port = 0;
  o.io_threads = 1;
  Server server(o, handler);
  ASSERT_TRUE(server.listen());
  EXPECT_NE(server.port(), 0);
  server.stop();
  server.run();  // returns at once: nothing to drain
}

}  // namespace
}  // namespace latchkey::http
