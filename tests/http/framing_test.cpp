// Message framing over raw sockets: requests whose body length two parsers could read two
// ways (RFC 9112 6.1 and 5.2) are refused with 400 and the connection is closed, while the
// ordinary HTTP/1.0 and chunked HTTP/1.1 forms keep working. Regression tests for #8.
#include "test_support.hpp"

namespace latchkey::test {
namespace {

class FramingTest : public ApiTest {
 protected:
  std::string head(std::string_view request_line, std::string_view fields) const {
    return std::string(request_line) + "\r\nHost: 127.0.0.1:" + std::to_string(client().port()) +
           "\r\n" + std::string(fields) + "\r\n";
  }
};

// A login for an unknown email (a fresh one each time: failures per email back off), the
// kind of body a request smuggler would hide behind ambiguous framing.
std::string login_json() {
  return json{{"email", unique_email("framing")}, {"password", "not-the-password"}}.dump();
}

std::string chunked(std::string_view body) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx", body.size());
  return std::string(size) + "\r\n" + std::string(body) + "\r\n0\r\n\r\n";
}

struct FaultyCase {
  const char* name;
  std::string request_line;
  std::string fields;  // after Host, each ending in CRLF
};

TEST_F(FramingTest, FaultyFramingIs400AndClosesTheConnection) {
  const FaultyCase cases[] = {
      {"HTTP/1.0 with Transfer-Encoding: chunked", "POST /auth/login HTTP/1.0",
       "Connection: keep-alive\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: chunked\r\n"},
      {"HTTP/1.0 with Transfer-Encoding and Content-Length", "POST /auth/login HTTP/1.0",
       "Connection: keep-alive\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"},
      {"Transfer-Encoding folded onto the next line", "POST /auth/login HTTP/1.1",
       "Content-Type: application/json\r\nTransfer-Encoding:\r\n chunked\r\n"},
      {"Transfer-Encoding folded with a tab", "POST /auth/login HTTP/1.1",
       "Content-Type: application/json\r\nTransfer-Encoding:\r\n\tchunked\r\n"},
      {"any header continued on a line starting with a space", "POST /auth/login HTTP/1.1",
       "Content-Type: application/json\r\nX-Note: first\r\n second\r\n"
       "Transfer-Encoding: chunked\r\n"},
      {"continuation line after an empty one", "POST /auth/login HTTP/1.1",
       "Content-Type: application/json\r\nX-Note: first\r\n \r\n"
       "Transfer-Encoding: chunked\r\n"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    Connection c(client().port());
    ASSERT_TRUE(c.connected());
    c.send_all(head(tc.request_line, tc.fields) + chunked(login_json()));
    const Response r = c.read_response();
    EXPECT_TRUE(IsErrorBody(r, 400)) << r.status << " " << r.body;
    EXPECT_EQ(r.header("Connection").value_or(""), "close");
    EXPECT_TRUE(c.closed_by_peer(5000)) << "the connection stayed open after a faulty frame";
  }
}

TEST_F(FramingTest, Http10RequestsAreStillServed) {
  Connection c(client().port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send_all("GET /health HTTP/1.0\r\n\r\n"));
  const Response r = c.read_response();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().value("status", ""), "healthy") << r.body;

  // HTTP/1.0 with a Content-Length body and keep-alive: served, and the connection is kept.
  Connection k(client().port());
  ASSERT_TRUE(k.connected());
  const std::string body = login_json();
  ASSERT_TRUE(
      k.send_all("POST /auth/login HTTP/1.0\r\nConnection: keep-alive\r\n"
                 "Content-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body));
  EXPECT_TRUE(IsError(k.read_response(), 401, "Invalid credentials"));
  ASSERT_TRUE(k.send_all("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(k.read_response().status, 200);
}

TEST_F(FramingTest, ChunkedHttp11BodyIsStillParsedAndTheConnectionKept) {
  Connection c(client().port());
  ASSERT_TRUE(c.connected());
  // Folding is only refused between lines; spaces inside and around a value are fine.
  ASSERT_TRUE(c.send_all(head("POST /auth/login HTTP/1.1",
                              "Content-Type: application/json\r\nX-Note:  two  words \r\n"
                              "Transfer-Encoding: chunked\r\n") +
                         chunked(login_json())));
  EXPECT_TRUE(IsError(c.read_response(), 401, "Invalid credentials"));
  ASSERT_TRUE(c.send_all(head("GET /health HTTP/1.1", "")));
  EXPECT_EQ(c.read_response().status, 200);
}

}  // namespace
}  // namespace latchkey::test
