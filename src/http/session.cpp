#include "http/session.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cstdint>
#include <exception>
#include <limits>

#include "core/ascii.hpp"
#include "core/log.hpp"
#include "http/pending_reply.hpp"
#include "http/request_id.hpp"
#include "http/response_head.hpp"

namespace latchkey::http {
namespace {

namespace bhttp = boost::beast::http;
using boost::system::error_code;

// First read of a request; the buffer grows (and stays grown) only for bigger heads.
constexpr size_t kReadChunk = 4096;
// An error response goes to a client we are about to drop; it gets little patience.
constexpr std::chrono::seconds kErrorWriteTimeout{5};
// After an error response, keep reading (and discarding) for a moment before closing: closing
// with unread request bytes makes the kernel send RST, which can destroy the response before
// the client reads it (e.g. a 413 while the client is still uploading).
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kLingerBytes = 1 << 20;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

auto redirect(error_code& ec) { return net::redirect_error(net::use_awaitable_t<Executor>{}, ec); }

bool is_http_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::need_more).category();
}

}  // namespace

std::string remote_ip(const Socket& socket) {
  error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  auto addr = endpoint.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6());
  }
  return addr.to_string();
}

Session::Session(ServerShared& shared, IoLoop& loop, Socket socket, std::string remote_ip,
                 bool refuse, AddressConnections::Slot slot)
    : shared_(shared),
      loop_(loop),
      executor_(loop.ioc.get_executor()),
      socket_(std::move(socket)),
      watchdog_(executor_),
      reply_signal_(executor_),
      remote_ip_(std::move(remote_ip)),
      address_slot_(std::move(slot)),
      refuse_only_(refuse) {}

// Runs on the loop's thread, or during io_context teardown when no loop thread runs.
Session::~Session() { unlink(); }

void Session::start(std::shared_ptr<Session> session) {
  Session& s = *session;
  net::co_spawn(s.executor_, s.run(std::move(session)), net::detached);
}

void Session::close_if_idle() {
  if (phase_ != Phase::idle) return;
  error_code ignored;
  socket_.cancel(ignored);  // the pending read ends with operation_aborted; run() closes
}

// `self` keeps the session alive for as long as the coroutine runs.
Awaitable<void> Session::run(std::shared_ptr<Session> self) {
  link();
  try {
    if (refuse_only_) {
      co_await refuse(503, "Service Unavailable");
    } else {
      co_await serve();
    }
  } catch (const std::exception& e) {
    core::log_event(core::LogLevel::error, "connection failed",
                    {{"error", e.what()}, {"remote", remote_ip_}});
  } catch (...) {
    core::log_event(core::LogLevel::error, "connection failed", {{"remote", remote_ip_}});
  }
  // Given back before the close: a client that has seen this connection end may open the next
  // one at once.
  address_slot_.release();
  if (refuse_only_) shared_.refusing.fetch_sub(1);
  close();
  unlink();
  if (shared_.active.fetch_sub(1) == 1 && shared_.stopping.load()) shared_.on_drained();
  self.reset();
}

Awaitable<void> Session::serve() {
  for (;;) {
    if (!co_await read_request()) co_return;
    keep_alive_ = parser_->keep_alive();
    head_request_ = parser_->request().method == Method::head;
    Request req = parser_->take();
    if (const auto incoming = req.header("x-request-id"); is_valid_request_id(incoming)) {
      request_id_.assign(incoming);
    } else {
      generate_request_id(request_id_);
    }
    req.request_id = request_id_;
    req.remote_ip = remote_ip_;
    log_path_.assign(req.path);  // the query is never logged: it may carry secrets
    co_await dispatch(std::move(req));
    if (!co_await write_response() || !keep_alive_) co_return;
  }
}

// True once a whole request is parsed. False means close: the peer left, timed out while
// idle, or sent something we refused (the error response is already written).
Awaitable<bool> Session::read_request() {
  const ServerOptions& o = shared_.options;
  error_code ec;
  if (buffer_.size() == 0) {
    if (shared_.stopping.load()) co_return false;
    phase_ = Phase::idle;
    set_deadline(Clock::now() + o.idle_timeout);
    const size_t room = std::max(kReadChunk, buffer_.capacity() - buffer_.size());
    const size_t n = co_await socket_.async_read_some(buffer_.prepare(room), redirect(ec));
    buffer_.commit(n);
    if (ec) co_return false;  // nobody is waiting for an answer
  }

  // Security: the head deadline runs from its first byte, so a client trickling bytes
  // (slowloris) cannot hold the connection longer than header_timeout.
  phase_ = Phase::head;
  started_ = Clock::now();
  set_deadline(started_ + o.header_timeout);
  parser_.emplace(o.max_target_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(o.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(o.max_body_bytes);
  ec = parse_buffered();
  if (!ec && !parser_->is_header_done()) {
    co_await bhttp::async_read_header(socket_, buffer_, *parser_, redirect(ec));
  }
  if (ec) {
    co_await refuse_for(ec);
    co_return false;
  }
  if (parser_->is_done()) co_return true;

  phase_ = Phase::body;
  set_deadline(Clock::now() + o.body_timeout);
  // The client holds the body back until told to go on (RFC 9110 10.1.1).
  if (parser_->version() >= 11 &&
      core::ascii_iequals(parser_->request().header("expect"), "100-continue")) {
    co_await net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                              redirect(ec));
    if (ec) co_return false;
  }
  co_await bhttp::async_read(socket_, buffer_, *parser_, redirect(ec));
  if (ec) {
    co_await refuse_for(ec);
    co_return false;
  }
  co_return true;
}

// Parses what is already buffered (pipelined requests, or a head that came in one read)
// without an asynchronous round trip.
error_code Session::parse_buffered() {
  error_code ec;
  while (buffer_.size() > 0 && !parser_->is_done()) {
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) return {};
    if (ec || used == 0) break;
  }
  return ec;
}

Awaitable<void> Session::dispatch(Request req) {
  phase_ = Phase::handling;
  set_deadline(Clock::time_point::max());  // the handler's time is the handler's business
  reply_ready_ = false;
  awaiting_reply_ = true;
  {
    auto pending = std::make_shared<PendingReply>(weak_from_this(), shared_.gate);
    in_handle_ = true;
    try {
      shared_.handler.handle(std::move(req),
                             [pending](Response r) { pending->complete(std::move(r)); });
    } catch (const std::exception& e) {
      core::log_event(core::LogLevel::error, "handler threw",
                      {{"error", e.what()}, {"request_id", request_id_}});
      pending->fail();
    } catch (...) {
      core::log_event(core::LogLevel::error, "handler threw", {{"request_id", request_id_}});
      pending->fail();
    }
    pending.reset();  // a handler that kept no copy of the Reply gets its 500 right here
    in_handle_ = false;
  }
  while (!reply_ready_) {
    error_code ec;
    reply_signal_.expires_at(Clock::time_point::max());
    co_await reply_signal_.async_wait(redirect(ec));  // accept_reply() cancels it
  }
}

void Session::accept_reply(std::optional<Response> r) {
  if (!awaiting_reply_) return;
  awaiting_reply_ = false;
  if (r && is_sendable_status(r->status)) {
    response_.emplace(std::move(*r));
  } else {
    if (r) {
      core::log_event(core::LogLevel::error, "handler replied with an invalid status",
                      {{"status", r->status}, {"request_id", request_id_}});
    }
    response_.emplace(error_response(500, "Internal Server Error"));
  }
  reply_ready_ = true;
  reply_signal_.cancel();
}

Response Session::error_response(int status, std::string_view message) const {
  return protocol_error_response(shared_.handler, status, message);
}

Response protocol_error_response(Handler& handler, int status, std::string_view message) {
  try {
    return handler.protocol_error(status, message);
  } catch (const std::exception& e) {
    core::log_event(core::LogLevel::error, "protocol_error threw", {{"error", e.what()}});
  } catch (...) {
    core::log_event(core::LogLevel::error, "protocol_error threw");
  }
  Response r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = message;
  return r;
}

Awaitable<bool> Session::write_response() {
  phase_ = Phase::writing;
  // While draining, this is the connection's last response; say so.
  if (shared_.stopping.load()) keep_alive_ = false;
  set_deadline(Clock::now() + shared_.options.body_timeout);
  const std::string_view body = write_response_head(
      head_, *response_, {keep_alive_, parser_->version(), head_request_, request_id_});
  const std::array<net::const_buffer, 2> buffers{net::buffer(head_),
                                                 net::buffer(body.data(), body.size())};
  error_code ec;
  co_await net::async_write(socket_, buffers, redirect(ec));
  log_request(ec ? 0 : body.size());
  response_.reset();  // free the body now, not when the next request arrives
  co_return !ec;
}

void Session::log_request(size_t bytes) const {
  if (!core::log_enabled(core::LogLevel::info)) return;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
  core::log_event(core::LogLevel::info, "request",
                  {{"method", parser_->method_name()},
                   {"path", log_path_},
                   {"status", response_->status},
                   {"duration_ms", ms},
                   {"bytes", uint64_t{bytes}},
                   {"request_id", request_id_},
                   {"remote", remote_ip_}});
}

// Writes a protocol error (built by the Handler) and ends the connection.
Awaitable<void> Session::refuse(int status, std::string_view message) {
  phase_ = Phase::closing;
  keep_alive_ = false;
  generate_request_id(request_id_);
  response_.emplace(error_response(status, message));
  set_deadline(Clock::now() + kErrorWriteTimeout);
  const std::string_view body =
      write_response_head(head_, *response_, {false, 11, false, request_id_});
  const std::array<net::const_buffer, 2> buffers{net::buffer(head_),
                                                 net::buffer(body.data(), body.size())};
  error_code ec;
  co_await net::async_write(socket_, buffers, redirect(ec));
  core::log_event(core::LogLevel::info, "protocol_error",
                  {{"status", status}, {"remote", remote_ip_}, {"request_id", request_id_}});
  response_.reset();
  if (!ec) co_await linger();
}

Awaitable<void> Session::refuse_for(error_code ec) {
  if (timed_out_) {
    co_await refuse(408, "Request Timeout");
  } else if (!is_http_error(ec) || ec == bhttp::error::end_of_stream ||
             ec == bhttp::error::partial_message) {
    // The socket failed or the peer went away mid-request: nobody left to answer.
  } else if (ec == bhttp::error::body_limit) {
    co_await refuse(413, "Payload Too Large");
  } else if ((ec == bhttp::error::bad_target && parser_->target_too_long()) ||
             (ec == bhttp::error::header_limit && first_line_exceeds_target_limit())) {
    co_await refuse(414, "URI Too Long");
  } else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    co_await refuse(431, "Request Header Fields Too Large");
  } else {
    co_await refuse(400, "Bad Request");
  }
}

// A head over header_limit may still be in the buffer, request line included; if its
// request-target alone is over the target limit, 414 is the better answer.
bool Session::first_line_exceeds_target_limit() const {
  // A parsed request line had a target within the limit (else: bad_target), and it is no
  // longer in the buffer.
  if (parser_->start_line_done()) return false;
  const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  const size_t space = data.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view rest = data.substr(space + 1);
  const size_t end = rest.find_first_of(" \r\n");
  return (end == std::string_view::npos ? rest.size() : end) > shared_.options.max_target_bytes;
}

Awaitable<void> Session::linger() {
  error_code ec;
  socket_.shutdown(net::socket_base::shutdown_send, ec);
  if (ec) co_return;
  set_deadline(Clock::now() + kLingerTimeout);
  size_t total = 0;
  while (total < kLingerBytes) {
    buffer_.clear();
    total += co_await socket_.async_read_some(buffer_.prepare(kReadChunk), redirect(ec));
    if (ec) break;
  }
}

void Session::close() {
  phase_ = Phase::closing;
  ++watchdog_generation_;
  watchdog_.cancel();
  reply_signal_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

// Deadlines are plain stores; the single watchdog timer is re-armed only when a deadline
// moves earlier than its next wake-up, so keep-alive requests usually touch no timer at all.
void Session::set_deadline(Clock::time_point deadline) {
  timed_out_ = false;
  deadline_ = deadline;
  if (deadline < armed_until_) arm_watchdog(deadline);
}

void Session::arm_watchdog(Clock::time_point at) {
  armed_until_ = at;
  const uint64_t generation = ++watchdog_generation_;
  watchdog_.expires_at(at);  // cancels a pending wait, which then sees a stale generation
  watchdog_.async_wait([self = shared_from_this(), generation](error_code ec) {
    self->on_watchdog(ec, generation);
  });
}

void Session::on_watchdog(error_code ec, uint64_t generation) {
  if (ec || generation != watchdog_generation_) return;
  armed_until_ = Clock::time_point::max();
  if (deadline_ == Clock::time_point::max()) return;
  if (Clock::now() < deadline_) {
    arm_watchdog(deadline_);
    return;
  }
  timed_out_ = true;
  error_code ignored;
  socket_.cancel(ignored);  // the pending operation fails; its caller sees timed_out_
}

void Session::link() {
  prev_ = nullptr;
  next_ = loop_.sessions;
  if (next_) next_->prev_ = this;
  loop_.sessions = this;
  linked_ = true;
}

void Session::unlink() {
  if (!linked_) return;
  if (prev_) {
    prev_->next_ = next_;
  } else {
    loop_.sessions = next_;
  }
  if (next_) next_->prev_ = prev_;
  prev_ = next_ = nullptr;
  linked_ = false;
}

}  // namespace latchkey::http
