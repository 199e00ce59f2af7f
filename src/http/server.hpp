#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"

namespace latchkey::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;   // 0 picks a free port; see Server::port()
  size_t io_threads = 0;  // 0: one per core
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 * 1024;  // request line + headers
  size_t max_target_bytes = 8 * 1024;
  // Open connections beyond which new ones are answered 503 and closed. Each one holds a
  // descriptor: keep it below RLIMIT_NOFILE minus what the rest of the process needs, and
  // minus kRefusalDescriptors.
  size_t max_connections = 20000;
  // The same, per client address (IPv4, or IPv6 /64), so one client cannot take them all.
  size_t max_connections_per_ip = 256;
  // Peers exempt from max_connections_per_ip: the trusted proxies, whose one address carries
  // every client behind them.
  std::vector<std::string> uncapped_addresses;
  std::chrono::seconds header_timeout{10};  // to receive a whole request head (slowloris)
  std::chrono::seconds body_timeout{30};    // to receive the body once the head is in
  std::chrono::seconds idle_timeout{75};    // keep-alive connection with no request
  std::chrono::seconds drain_timeout{10};   // on shutdown, for in-flight requests
};

// Descriptors the server may hold beyond max_connections: its listener, a reserve descriptor
// kept for answering 503 when accept() runs out of them, and connections being refused
// (each gets its 503 and a moment to read it before the close; beyond this many at once they
// get the 503 and an immediate close).
inline constexpr size_t kRefusalDescriptors = 18;

// HTTP/1.1 server with keep-alive on Boost.Beast. Each request is handed to the Handler;
// the response is written when the handler replies. One access-log line per request.
class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. unavailable (with a message naming the address) if that fails.
  Result<void> listen();
  // The bound port (after listen()).
  uint16_t port() const;
  // Serves until stop() or SIGTERM/SIGINT, then stops accepting, lets in-flight requests
  // finish (up to drain_timeout), closes idle connections and returns.
  void run();
  // Thread-safe; makes run() return as described above.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latchkey::http
