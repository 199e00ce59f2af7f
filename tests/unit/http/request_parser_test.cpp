// The Beast request parser latchkey feeds its sessions with, driven directly with bytes.
#include "http/request_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

namespace latchkey::http {
namespace {

namespace bhttp = boost::beast::http;
using boost::beast::error_code;

struct Parsed {
  error_code ec;
  size_t used = 0;
};

// Feeds `bytes` in one piece, as a session does with what it has buffered.
Parsed feed(RequestParser& p, std::string_view bytes) {
  Parsed out;
  while (out.used < bytes.size() && !p.is_done()) {
    const size_t n =
        p.put(boost::asio::buffer(bytes.data() + out.used, bytes.size() - out.used), out.ec);
    out.used += n;
    if (out.ec || n == 0) break;
  }
  return out;
}

RequestParser make_parser() {
  RequestParser p(8 * 1024);
  p.body_limit(1 << 20);
  return p;
}

struct FramingCase {
  const char* name;
  std::string bytes;
  bool accepted;
};

// Regression for #8: Beast on its own accepts the refused ones.
TEST(RequestParserTest, AmbiguousFramingIsRefused) {
  const FramingCase cases[] = {
      {"HTTP/1.1 chunked",
       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true},
      {"HTTP/1.0 with a length", "POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nok", true},
      {"spaces inside and around a value", "GET / HTTP/1.1\r\nX-A:  a  b \r\nX-B:\tc\r\n\r\n",
       true},
      {"empty value", "GET / HTTP/1.1\r\nX-A:\r\nX-B: \r\n\r\n", true},
      {"HTTP/1.0 chunked",
       "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
      {"folded Transfer-Encoding", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
       false},
      {"folded with a tab", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\tchunked\r\n\r\n", false},
      {"folded value continued", "GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n", false},
      {"folded value, empty continuation", "GET / HTTP/1.1\r\nX-A: one\r\n \r\n\r\n", false},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    RequestParser p = make_parser();
    const Parsed r = feed(p, tc.bytes);
    if (tc.accepted) {
      EXPECT_FALSE(r.ec) << r.ec.message();
      EXPECT_TRUE(p.is_done());
    } else {
      EXPECT_TRUE(r.ec);
      EXPECT_NE(r.ec, bhttp::error::need_more);
    }
  }
}

// Regression for #8: the whole announced length used to be reserved once the head was in.
TEST(RequestParserTest, BodyMemoryFollowsTheBytesReceivedNotTheLengthAnnounced) {
  constexpr size_t kAnnounced = 1'000'000;
  RequestParser p = make_parser();
  const std::string head =
      "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(kAnnounced) + "\r\n\r\n";
  Parsed r = feed(p, head + "0123456789");
  ASSERT_FALSE(r.ec && r.ec != bhttp::error::need_more) << r.ec.message();
  ASSERT_TRUE(p.is_header_done());
  ASSERT_FALSE(p.is_done());
  EXPECT_EQ(p.request().body, "0123456789");
  EXPECT_LE(p.request().body.capacity(), RequestParser::kFirstBodyReserveBytes * 2);

  // The rest arrives in pieces; the body grows to hold it, byte for byte.
  const std::string piece(64 * 1024, 'x');
  size_t sent = 10;
  while (sent < kAnnounced) {
    const size_t n = std::min(piece.size(), kAnnounced - sent);
    r = feed(p, std::string_view(piece).substr(0, n));
    ASSERT_FALSE(r.ec && r.ec != bhttp::error::need_more) << r.ec.message();
    ASSERT_EQ(r.used, n);
    sent += n;
    ASSERT_LE(p.request().body.capacity(), 2 * sent + RequestParser::kFirstBodyReserveBytes);
  }
  ASSERT_TRUE(p.is_done());
  EXPECT_EQ(p.request().body.size(), kAnnounced);
}

TEST(RequestParserTest, SmallBodyIsReservedOnce) {
  RequestParser p = make_parser();
  const std::string body(1000, 'b');
  const Parsed r = feed(p, "POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + body);
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_TRUE(p.is_done());
  EXPECT_EQ(p.request().body, body);
}

}  // namespace
}  // namespace latchkey::http
