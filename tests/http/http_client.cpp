#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace latchkey::test {
namespace {

constexpr int kIoTimeoutSeconds = 15;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Response failure(std::string why) {
  Response r;
  r.body = "<no response: " + why + ">";
  return r;
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

nlohmann::json Response::json() const { return nlohmann::json::parse(body, nullptr, false); }

Connection::Connection(uint16_t port, const std::string& source_ip) : port_(port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{kIoTimeoutSeconds, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!source_ip.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, source_ip.c_str(), &local.sin_addr) != 1 ||
        bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

bool Connection::send_all(std::string_view bytes) {
  if (fd_ < 0) return false;
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

bool Connection::fill() {
  if (fd_ < 0) return false;
  char chunk[16384];
  for (;;) {
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, size_t(n));
    return true;
  }
}

bool Connection::read_until_size(size_t size) {
  while (buffer_.size() < size) {
    if (!fill()) return false;
  }
  return true;
}

Response Connection::read_response(bool head_request) {
  if (fd_ < 0) return failure("not connected");
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return failure("connection closed before the response head");
  }
  const std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);

  Response r;
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
    return failure("bad status line: " + status_line);
  }
  r.status = std::atoi(status_line.c_str() + 9);
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = std::string_view(head).substr(
        start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    r.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                           std::string(trim(line.substr(colon + 1))));
  }

  const bool no_body = head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304;
  const auto length = r.header("Content-Length");
  const auto encoding = r.header("Transfer-Encoding");
  if (no_body) {
    return r;
  } else if (encoding && iequals(*encoding, "chunked")) {
    for (;;) {
      size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill()) return failure("connection closed inside a chunked body");
      }
      const size_t chunk = std::strtoul(buffer_.c_str(), nullptr, 16);
      buffer_.erase(0, eol + 2);
      if (!read_until_size(chunk + 2)) return failure("connection closed inside a chunk");
      r.body.append(buffer_, 0, chunk);
      buffer_.erase(0, chunk + 2);
      if (chunk == 0) break;  // no trailers from latchkey
    }
  } else if (length) {
    const size_t n = std::strtoull(length->c_str(), nullptr, 10);
    if (!read_until_size(n)) return failure("connection closed inside the body");
    r.body = buffer_.substr(0, n);
    buffer_.erase(0, n);
  } else {
    while (fill()) {
    }
    r.body = std::move(buffer_);
    buffer_.clear();
  }
  return r;
}

Response Connection::request(std::string_view method, std::string_view target,
                             const Headers& headers, std::string_view body) {
  if (fd_ < 0) return failure("could not connect");
  // A server may answer (e.g. 413) and close before taking the whole body; its answer is
  // still readable, so a failed send is not the end.
  send_all(build_request(method, target, port_, headers, body));
  return read_response(method == "HEAD");
}

bool Connection::closed_by_peer(int timeout_ms) {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  const ssize_t n = recv(fd_, &c, 1, MSG_PEEK);
  return n <= 0;
}

void Connection::shutdown_send() {
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

std::string build_request(std::string_view method, std::string_view target, uint16_t port,
                          const Headers& headers, std::string_view body) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  out.append("Host: 127.0.0.1:").append(std::to_string(port)).append("\r\n");
  bool has_type = false;
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    has_type = has_type || iequals(k, "Content-Type");
    has_length = has_length || iequals(k, "Content-Length");
    out.append(k).append(": ").append(v).append("\r\n");
  }
  const bool body_method = method == "POST" || method == "PUT" || method == "PATCH";
  if (!body.empty() && !has_type) out.append("Content-Type: application/json\r\n");
  if ((!body.empty() || body_method) && !has_length) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

Response HttpClient::request(std::string_view method, std::string_view target,
                             const Headers& headers, std::string_view body) const {
  Connection c(port_);
  return c.request(method, target, headers, body);
}

Response HttpClient::raw(std::string_view bytes) const {
  Connection c(port_);
  if (!c.connected()) return failure("could not connect");
  c.send_all(bytes);
  return c.read_response();
}

}  // namespace latchkey::test
