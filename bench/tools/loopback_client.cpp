// bench_client: the two jobs of bench/run that wrk and curl cannot do well.
//
//   bench_client wait-health PORT TIMEOUT_MS [PID]
//     Polls GET /health on 127.0.0.1:PORT every millisecond until it answers 200; exits 0 then,
//     1 on timeout or as soon as process PID (the server being waited for) has exited. A curl loop
//     would add ~5 ms of process start-up per try to the measured start-up time; this keeps the
//     resolution at about 1 ms.
//
//   bench_client hold PORT COUNT
//     Opens COUNT connections to 127.0.0.1:PORT, sends one keep-alive GET /health on each and
//     reads the 200, so every connection is an idle keep-alive connection the server has fully
//     set up. Prints "held N" once all are answered, then keeps them open until stdin closes.
//
// Only ever connects to 127.0.0.1: the benchmark must not touch anything but loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view kHealthRequest =
    "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until the response head is in; true if its status is 200. The bodies here are tiny, so
// a single head read also carries the body and the connection is left with nothing unread.
bool read_200(int fd, int timeout_ms) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    head.append(buf, static_cast<size_t>(n));
  }
  return head.starts_with("HTTP/1.1 200");
}

int wait_health(int port, int timeout_ms, pid_t server_pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = connect_loopback(port);
    if (fd >= 0) {
      const bool ok = send_all(fd, kHealthRequest) && read_200(fd, 1000);
      ::close(fd);
      if (ok) return 0;
    }
    if (server_pid > 0 && ::kill(server_pid, 0) != 0 && errno == ESRCH) {
      std::fprintf(stderr, "bench_client: process %d exited before /health answered\n",
                   static_cast<int>(server_pid));
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::fprintf(stderr, "bench_client: no 200 from /health within %d ms\n", timeout_ms);
  return 1;
}

int hold(int port, int count) {
  std::vector<int> fds;
  fds.reserve(static_cast<size_t>(count));
  int failed_connects = 0;
  for (int i = 0; i < count; ++i) {
    const int fd = connect_loopback(port);
    if (fd < 0) {
      ++failed_connects;
      continue;
    }
    fds.push_back(fd);
  }
  // Send every request before reading any answer, so the server holds all connections at once
  // instead of one at a time.
  int answered = 0;
  for (const int fd : fds) {
    if (send_all(fd, kHealthRequest) && read_200(fd, 10000)) ++answered;
  }
  std::printf("held %d connected=%zu connect_failures=%d\n", answered, fds.size(), failed_connects);
  std::fflush(stdout);
  // Block until the caller closes our stdin (or kills us); the kernel closes the sockets on exit.
  char c;
  while (::read(STDIN_FILENO, &c, 1) > 0) {
  }
  for (const int fd : fds) ::close(fd);
  return answered == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if ((argc == 4 || argc == 5) && mode == "wait-health")
    return wait_health(std::atoi(argv[2]), std::atoi(argv[3]), argc == 5 ? std::atoi(argv[4]) : 0);
  if (argc == 4 && mode == "hold") return hold(std::atoi(argv[2]), std::atoi(argv[3]));
  std::fprintf(
      stderr,
      "usage: bench_client wait-health PORT TIMEOUT_MS [PID] | bench_client hold PORT COUNT\n");
  return 2;
}
