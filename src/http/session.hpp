#pragma once
// One accepted connection: reads requests one at a time, hands each to the Handler and writes
// the reply. Private to src/http (includes Asio/Beast).
// clang-format off
#include <utility>  // first: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/address_connections.hpp"
#include "http/message.hpp"
#include "http/request_parser.hpp"
#include "http/server.hpp"

namespace latchkey::http {

namespace net = boost::asio;

using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<net::ip::tcp, Executor>;
using SteadyTimer =
    net::basic_waitable_timer<std::chrono::steady_clock,
                              net::wait_traits<std::chrono::steady_clock>, Executor>;
template <class T>
using Awaitable = net::awaitable<T, Executor>;

class Session;

// handler.protocol_error(status, message), or a plain-text one if that throws.
Response protocol_error_response(Handler& handler, int status, std::string_view message);

// The peer's address as text (an IPv4-mapped IPv6 address as plain IPv4); empty if unknown.
std::string remote_ip(const Socket& socket);

// Replies may arrive from worker threads at any time, even after the server is gone. They
// post to a session's io_context only while this gate is open; ~Server closes it before
// destroying the io_contexts, so a late reply is dropped instead of touching freed memory.
struct ReplyGate {
  std::mutex mu;
  bool open = true;
};

// What every session shares with the server.
struct ServerShared {
  ServerShared(ServerOptions o, Handler& h)
      : options(std::move(o)), handler(h), per_address(options.max_connections_per_ip, options.uncapped_addresses) {}

  const ServerOptions options;
  Handler& handler;
  AddressConnections per_address;
  std::shared_ptr<ReplyGate> gate = std::make_shared<ReplyGate>();
  std::atomic<bool> stopping{false};
  std::atomic<size_t> active{0};     // accepted connections not yet closed
  std::atomic<size_t> refusing{0};   // of those, the ones only being told 503
  std::function<void()> on_drained;  // called once `active` reaches 0 while stopping
};

// One io_context run by exactly one thread, with the sessions it owns. Connections never move
// between loops, so a session needs no strand and the io_context no cross-thread locking
// beyond posts.
struct IoLoop {
  Session* sessions = nullptr;  // intrusive list; touched only on this loop's thread
  net::io_context ioc{1};       // declared last: destroyed first, while the list is valid
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `refuse` sessions only answer 503 (too many connections) and close; the others hold
  // their address's slot until they close.
  Session(ServerShared& shared, IoLoop& loop, Socket socket, std::string remote_ip, bool refuse,
          AddressConnections::Slot slot);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Spawns the connection coroutine on the session's loop.
  static void start(std::shared_ptr<Session> session);
  // On the loop's thread, at shutdown: closes the connection if it waits for a request.
  void close_if_idle();

  Session* next_in_loop() const { return next_; }

  // Called through Reply, from any thread; see PendingReply.
  const Executor& executor() const { return executor_; }
  bool in_handle() const { return in_handle_; }
  // On the loop's thread. nullopt: the handler failed to reply (threw or dropped it).
  void accept_reply(std::optional<Response> r);

 private:
  enum class Phase { starting, idle, head, body, handling, writing, closing };
  using Clock = std::chrono::steady_clock;

  Awaitable<void> run(std::shared_ptr<Session> self);
  Awaitable<void> serve();
  Awaitable<bool> read_request();
  Awaitable<void> dispatch(Request req);
  Awaitable<bool> write_response();
  Awaitable<void> refuse(int status, std::string_view message);
  Awaitable<void> refuse_for(boost::system::error_code ec);
  Awaitable<void> linger();
  boost::system::error_code parse_buffered();
  bool first_line_exceeds_target_limit() const;
  void log_request(size_t bytes) const;
  Response error_response(int status, std::string_view message) const;
  void close();

  void set_deadline(Clock::time_point deadline);
  void arm_watchdog(Clock::time_point at);
  void on_watchdog(boost::system::error_code ec, uint64_t generation);

  void link();
  void unlink();

  ServerShared& shared_;
  IoLoop& loop_;
  Executor executor_;
  Socket socket_;
  SteadyTimer watchdog_;
  SteadyTimer reply_signal_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<Response> response_;
  std::string head_;        // serialised response head, reused between requests
  std::string request_id_;  // reused between requests
  std::string log_path_;    // reused between requests
  std::string remote_ip_;
  AddressConnections::Slot address_slot_;
  bool refuse_only_;
  Phase phase_ = Phase::starting;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool in_handle_ = false;
  bool awaiting_reply_ = false;
  bool reply_ready_ = false;
  bool timed_out_ = false;
  Clock::time_point started_{};
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_until_ = Clock::time_point::max();
  uint64_t watchdog_generation_ = 0;
  Session* prev_ = nullptr;
  Session* next_ = nullptr;
  bool linked_ = false;
};

}  // namespace latchkey::http
