// The server's HTTP/1 request parser fed raw bytes the way http::Session feeds it: the input
// arrives in chunks (size from the first byte), each put() consumes what it can, the body is
// read eagerly once the head is done, and pipelined requests each get a fresh parser. Limits
// are ServerOptions' defaults.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/request_parser.hpp"

namespace {

namespace bhttp = boost::beast::http;

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr size_t kMaxTargetBytes = 8 * 1024;

void check_request(const latchkey::http::RequestParser& parser,
                   const latchkey::http::Request& req) {
  LATCHKEY_FUZZ_CHECK(!parser.method_name().empty());
  LATCHKEY_FUZZ_CHECK(req.path.find('?') == std::string::npos);
  LATCHKEY_FUZZ_CHECK(req.path.size() + req.query.size() <= kMaxTargetBytes);
  LATCHKEY_FUZZ_CHECK(req.body.size() <= kMaxBodyBytes);
  // The lookups every request goes through (router, CORS, auth, request id).
  const std::string_view names[] = {"host",   "content-type", "authorization", "origin",
                                    "expect", "x-request-id", "connection"};
  for (const auto name : names) {
    const auto v = req.header(name);
    LATCHKEY_FUZZ_CHECK(v.size() <= kMaxHeaderBytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // 0 -> everything at once (the common case); otherwise 1..255 bytes per read.
  const size_t chunk = data[0] == 0 ? size : data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t fed = 0;
  std::string buffer;

  for (int requests = 0; requests < 64; ++requests) {
    latchkey::http::RequestParser parser(kMaxTargetBytes);
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser.body_limit(kMaxBodyBytes);
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      if (buffer.empty() || ec == bhttp::error::need_more) {
        if (fed == input.size()) {
          // The peer closed: Beast decides whether what came so far is a whole message.
          ec = {};
          if (parser.got_some()) parser.put_eof(ec);
          if (!ec && parser.is_done()) check_request(parser, parser.request());
          return 0;
        }
        const size_t n = std::min(chunk, input.size() - fed);
        buffer.append(input.substr(fed, n));
        fed += n;
      }
      ec = {};
      const size_t used = parser.put(boost::asio::buffer(buffer), ec);
      LATCHKEY_FUZZ_CHECK(used <= buffer.size());
      buffer.erase(0, used);
      if (ec == bhttp::error::need_more) continue;
      if (ec) return 0;  // the session answers 4xx and closes
      if (parser.is_header_done()) parser.eager(true);
      if (used == 0 && !parser.is_done()) ec = bhttp::error::need_more;
    }
    LATCHKEY_FUZZ_CHECK(parser.start_line_done());
    const bool keep_alive = parser.keep_alive();
    const latchkey::http::Request req = parser.take();
    check_request(parser, req);
    if (!keep_alive) return 0;
  }
  return 0;
}
