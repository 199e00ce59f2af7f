#pragma once
// Plain request/response types: what the rest of latchkey sees of HTTP. No Beast here, so
// handlers compile without it.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::http {

enum class Method { get, head, post, put, patch, del, options, other };

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  Method method = Method::other;
  std::string path;   // target before '?', not percent-decoded
  std::string query;  // target after '?', without it; empty if none
  std::vector<Header> headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;

  // Value of the first header named `name` (case-insensitive); empty if absent. For headers
  // that carry a list, use header_list: a client can send several lines of one header.
  std::string_view header(std::string_view name) const;
  // Every line of header `name`, joined with ", " in the order received (RFC 9110 5.3: the
  // same as one comma-separated line); empty if absent.
  std::string header_list(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;
  std::string body;
  // Set instead of `body` for data that lives as long as the process (embedded assets).
  std::string_view static_body;
  // Released once the response has been written (or dropped unsent, e.g. the client left):
  // the handler's work for after the answer runs in its deleter, on an I/O thread.
  std::shared_ptr<void> after_sent;

  std::string_view payload() const { return static_body.empty() ? body : static_body; }
};

// Completes a request. Must be called exactly once, from any thread.
using Reply = std::function<void(Response)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on an I/O thread: must not block. Hand blocking work to a worker pool and
  // call `reply` from there.
  virtual void handle(Request req, Reply reply) = 0;
  // The response for a request refused by the HTTP layer itself (400 malformed, 408 slow,
  // 413 body too large, 414 URI too long, 431 headers too large, 503 too many connections).
  virtual Response protocol_error(int status, std::string_view message) = 0;
};

}  // namespace latchkey::http
