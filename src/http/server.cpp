#include "http/server.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "core/throttle.hpp"
#include "http/request_id.hpp"
#include "http/response_head.hpp"
#include "http/session.hpp"

namespace latchkey::http {
namespace {

using boost::system::error_code;
using tcp = net::ip::tcp;

// A failing accept would otherwise spin the accept loop.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
// Warnings that a flood or a descriptor shortage would repeat for every connection: at most
// one per interval, with the number held back.
constexpr std::chrono::seconds kWarningInterval{5};
// Refusals that may linger at once (503, then a moment for the client to read it); the other
// descriptors of kRefusalDescriptors are the listener's and the reserve.
constexpr size_t kLingeringRefusals = kRefusalDescriptors - 2;
static_assert(kRefusalDescriptors > 2);

bool out_of_descriptors(const error_code& ec) {
  return ec == net::error::no_descriptors || ec.value() == ENFILE;
}

// A descriptor held only to be given up: when accept() fails for want of one, closing it
// lets the server accept the connection anyway and tell it 503, instead of leaving it in
// the backlog with no answer while the accept loop retries.
int open_reserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

std::string display_address(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler& h) : shared(std::move(o), h) {
    size_t n = shared.options.io_threads;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    for (size_t i = 0; i < n; ++i) loops.push_back(std::make_unique<IoLoop>());
    shared.on_drained = [this] { finish(); };
  }

  ~Impl() {
    {
      // Late replies from worker threads must not touch the io_contexts destroyed below.
      std::lock_guard lock(shared.gate->mu);
      shared.gate->open = false;
    }
    signals.reset();
    drain_timer.reset();
    acceptor.reset();
    if (reserve_fd >= 0) ::close(reserve_fd);
    loops.clear();  // destroys pending handlers, and with them any remaining sessions
  }

  net::io_context& main_ioc() { return loops.front()->ioc; }

  Result<void> listen();
  void run();
  net::awaitable<void> accept_loop();
  void admit(IoLoop& loop, Socket socket);
  bool refuse_from_reserve(IoLoop& loop);
  void refuse_now(Socket& socket);
  void warn_accept_failed(const error_code& ec);
  void begin_shutdown();
  void finish();

  ServerShared shared;
  // Everything below lives on loops: declared after them so it is destroyed first.
  std::vector<std::unique_ptr<IoLoop>> loops;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::signal_set> signals;
  std::optional<net::steady_timer> drain_timer;
  uint16_t port = 0;
  int reserve_fd = -1;
  // Main loop's thread only, like everything the accept loop touches.
  bool shutting_down = false;
  core::Throttle accept_warnings{kWarningInterval};
  core::Throttle overload_warnings{kWarningInterval};
  std::atomic<bool> finished{false};
};

Result<void> Server::Impl::listen() {
  const ServerOptions& o = shared.options;
  const std::string where = display_address(o.host, o.port);
  error_code ec;
  // "localhost" means IPv4 loopback, not whatever the resolver lists first (often ::1), so
  // clients that connect to 127.0.0.1 find us.
  auto address = o.host == "localhost" ? net::ip::address(net::ip::address_v4::loopback())
                                       : net::ip::make_address(o.host, ec);
  if (ec) {
    tcp::resolver resolver(main_ioc());
    auto results = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return fail(Error::startup(Errc::unavailable, "cannot listen on " + where + ": cannot resolve host", ec.message()));
    }
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, o.port);
  acceptor.emplace(main_ioc());
  auto failed = [&](const error_code& e) {
    acceptor.reset();
    const std::string msg = "cannot listen on " + where + ": " + e.message();
    return fail(Error::startup(Errc::unavailable, msg, msg));
  };
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  // Only the synchronous accept of refuse_from_reserve sees this: it must not wait.
  if (!ec) acceptor->non_blocking(true, ec);
  if (ec) return failed(ec);
  port = acceptor->local_endpoint(ec).port();
  if (ec) return failed(ec);
  if (reserve_fd < 0) reserve_fd = open_reserve();
  return {};
}

net::awaitable<void> Server::Impl::accept_loop() {
  size_t next = 0;
  for (;;) {
    IoLoop& loop = *loops[next];
    next = (next + 1) % loops.size();
    error_code ec;
    Socket socket =
        co_await acceptor->async_accept(loop.ioc, net::redirect_error(net::use_awaitable, ec));
    if (shutting_down || !acceptor->is_open()) co_return;
    if (!ec) {
      admit(loop, std::move(socket));
      continue;
    }
    warn_accept_failed(ec);
    // Each pass through the reserve takes one waiting connection off the backlog, so going
    // straight back to accept() cannot spin.
    if (out_of_descriptors(ec) && refuse_from_reserve(loop)) continue;
    net::steady_timer backoff(main_ioc(), kAcceptBackoff);
    co_await backoff.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

// Past a limit the connection is still accepted, but only to be told 503: a client left in
// the backlog would just wait and retry blindly.
void Server::Impl::admit(IoLoop& loop, Socket socket) {
  error_code ec;
  // Responses go out in one gather write; no reason to let Nagle hold back their tail.
  socket.set_option(tcp::no_delay(true), ec);
  std::string ip = remote_ip(socket);
  // Security: every connection holds a descriptor and some memory until it closes; the
  // total cap keeps descriptors for the database and files, the per-address cap stops one
  // client from taking all the others' connections.
  // Connections being refused do not count: they are gone within seconds, and have
  // descriptors of their own (kRefusalDescriptors). Loaded in this order, and refusing only
  // grows on this thread, so the difference never underflows.
  const size_t accepted = shared.active.load();
  const size_t served = accepted - shared.refusing.load();
  AddressConnections::Slot slot;
  if (served < shared.options.max_connections) {
    slot = shared.per_address.try_acquire(ip);
  }
  const bool refuse = !slot;
  if (refuse && shared.refusing.load() >= kLingeringRefusals) {
    // So many refusals at once that lingering would spend the descriptors kept for the rest.
    if (auto held = overload_warnings.admit(core::Throttle::Clock::now())) {
      core::log_event(
          core::LogLevel::warn, "overloaded: refusing connections at once",
          {{"open_connections", uint64_t{shared.active.load()}}, {"suppressed", *held}});
    }
    refuse_now(socket);
    return;
  }
  // Only this loop adds; sessions subtract on their own threads.
  shared.active.fetch_add(1);
  if (refuse) shared.refusing.fetch_add(1);
  Session::start(std::make_shared<Session>(shared, loop, std::move(socket), std::move(ip), refuse,
                                           std::move(slot)));
}

// accept() found no descriptor: give up the reserve for one, take the waiting connection,
// answer it 503 and close it, then take the reserve back. False if that could not be done.
bool Server::Impl::refuse_from_reserve(IoLoop& loop) {
  if (reserve_fd < 0) reserve_fd = open_reserve();  // given up earlier and not yet back
  if (reserve_fd < 0) return false;
  ::close(reserve_fd);
  reserve_fd = -1;
  Socket socket(loop.ioc);
  error_code ec;
  acceptor->accept(socket, ec);
  if (!ec) refuse_now(socket);
  reserve_fd = open_reserve();
  return !ec && reserve_fd >= 0;
}

// The 503 of a refusing session, written at once, without a session or a wait: it fits the
// empty send buffer of a new connection.
void Server::Impl::refuse_now(Socket& socket) {
  error_code ec;
  socket.non_blocking(true, ec);
  std::string request_id;
  generate_request_id(request_id);
  const Response response = protocol_error_response(shared.handler, 503, "Service Unavailable");
  std::string head;
  const std::string_view body = write_response_head(head, response, {false, 11, false, request_id});
  const std::array<net::const_buffer, 2> buffers{net::buffer(head),
                                                 net::buffer(body.data(), body.size())};
  socket.send(buffers, 0, ec);
  socket.shutdown(net::socket_base::shutdown_send, ec);
  // Read what the request has sent so far: closing with unread bytes sends RST instead of
  // FIN, and a reset can reach the client before it has read the 503.
  std::array<char, 4096> scratch;
  for (int i = 0; i < 16; ++i) {
    const size_t n = socket.receive(net::buffer(scratch), 0, ec);
    if (ec || n == 0) break;
  }
  socket.close(ec);
}

void Server::Impl::warn_accept_failed(const error_code& ec) {
  auto held = accept_warnings.admit(core::Throttle::Clock::now());
  if (!held) return;
  core::log_event(core::LogLevel::warn, "accept failed",
                  {{"error", ec.message()},
                   {"open_connections", uint64_t{shared.active.load()}},
                   {"suppressed", *held}});
}

void Server::Impl::run() {
  if (!acceptor) {
    if (auto r = listen(); !r) {
      core::log_event(core::LogLevel::error, "cannot start", {{"error", r.error().message}});
      return;
    }
  }
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& loop : loops) guards.push_back(net::make_work_guard(loop->ioc));

  signals.emplace(main_ioc(), SIGINT, SIGTERM);
  signals->async_wait([this](const error_code& ec, int signo) {
    if (ec) return;
    core::log_event(core::LogLevel::info, "signal", {{"signal", signo}});
    begin_shutdown();
  });
  drain_timer.emplace(main_ioc());
  net::co_spawn(main_ioc(), accept_loop(), net::detached);
  core::log_event(core::LogLevel::info, "listening",
                  {{"address", display_address(shared.options.host, port)},
                   {"io_threads", uint64_t{loops.size()}}});

  std::vector<std::thread> threads;
  for (size_t i = 1; i < loops.size(); ++i) {
    threads.emplace_back([&loop = *loops[i]] { loop.ioc.run(); });
  }
  main_ioc().run();
  for (auto& t : threads) t.join();
  core::log_event(core::LogLevel::info, "stopped",
                  {{"open_connections", uint64_t{shared.active.load()}}});
}

// On the main loop: stop accepting, close idle connections, let requests in flight finish.
void Server::Impl::begin_shutdown() {
  if (shutting_down) return;
  shutting_down = true;
  shared.stopping.store(true);
  error_code ignored;
  if (acceptor) acceptor->close(ignored);
  if (signals) signals->cancel(ignored);
  core::log_event(core::LogLevel::info, "stopping",
                  {{"open_connections", uint64_t{shared.active.load()}}});
  for (auto& loop : loops) {
    net::post(loop->ioc, [&l = *loop] {
      for (Session* s = l.sessions; s != nullptr; s = s->next_in_loop()) s->close_if_idle();
    });
  }
  if (shared.active.load() == 0) {
    finish();
    return;
  }
  drain_timer->expires_after(shared.options.drain_timeout);
  drain_timer->async_wait([this](const error_code& ec) {
    if (ec) return;
    core::log_event(core::LogLevel::warn, "drain timeout",
                    {{"open_connections", uint64_t{shared.active.load()}}});
    finish();
  });
}

// Any thread. Stopping the io_contexts makes every run() return; what is left in them is
// destroyed with the Server.
void Server::Impl::finish() {
  if (finished.exchange(true)) return;
  for (auto& loop : loops) loop->ioc.stop();
}

Server::Server(ServerOptions options, Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() = default;

Result<void> Server::listen() { return impl_->listen(); }

uint16_t Server::port() const { return impl_->port; }

void Server::run() { impl_->run(); }

void Server::stop() {
  Impl* impl = impl_.get();
  net::post(impl->main_ioc(), [impl] { impl->begin_shutdown(); });
}

}  // namespace latchkey::http
