#pragma once
// A small blocking HTTP/1.1 client over POSIX sockets, enough to talk to latchkey in tests:
// Content-Length and chunked bodies, keep-alive on a Connection, raw bytes for malformed
// requests. Deliberately independent of the server's own HTTP code.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace latchkey::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 0;  // 0: no response (see body for why)
  Headers headers;
  std::string body;

  // The first header named `name`, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
  // The body as JSON; discarded (is_discarded()) if it is not JSON.
  nlohmann::json json() const;
};

// One TCP connection to 127.0.0.1:port. Reads and writes time out after 15 s so a hung
// server fails a test instead of hanging it.
class Connection {
 public:
  // `source_ip`: the local address to connect from (any loopback address, 127.0.0.0/8, works
  // on Linux without setup); empty: the kernel's choice.
  explicit Connection(uint16_t port, const std::string& source_ip = "");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False if the peer closed or reset the connection before everything was sent.
  bool send_all(std::string_view bytes);
  // One response; status 0 if the connection closed or failed before a whole one arrived.
  Response read_response(bool head_request = false);
  Response request(std::string_view method, std::string_view target, const Headers& headers = {},
                   std::string_view body = {});
  // True if the peer closes the connection within `timeout_ms` (EOF or reset).
  bool closed_by_peer(int timeout_ms);
  // Tells the peer we send nothing more (a FIN), keeping the connection open for reading.
  void shutdown_send();

 private:
  // Appends what arrives to buffer_; false on EOF, error or timeout.
  bool fill();
  bool read_until_size(size_t size);

  int fd_ = -1;
  uint16_t port_ = 0;
  std::string buffer_;
};

// Builds the bytes of one request. Adds Host, Content-Length for a body (or POST/PUT/PATCH),
// and Content-Type: application/json for a body unless `headers` name one.
std::string build_request(std::string_view method, std::string_view target, uint16_t port,
                          const Headers& headers, std::string_view body);

// One connection per request, closed afterwards.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}
  Response request(std::string_view method, std::string_view target, const Headers& headers = {},
                   std::string_view body = {}) const;
  Response get(std::string_view target, const Headers& headers = {}) const {
    return request("GET", target, headers);
  }
  Response post(std::string_view target, const nlohmann::json& body,
                const Headers& headers = {}) const {
    return request("POST", target, headers, body.dump());
  }
  Response put(std::string_view target, const nlohmann::json& body,
               const Headers& headers = {}) const {
    return request("PUT", target, headers, body.dump());
  }
  Response del(std::string_view target, const Headers& headers = {}) const {
    return request("DELETE", target, headers);
  }
  // Sends `bytes` as they are on a fresh connection and reads one response.
  Response raw(std::string_view bytes) const;
  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
};

}  // namespace latchkey::test
