#pragma once
// Serialises a response's status line and headers by hand: every header is written once into
// a string the connection reuses, with no Beast fields container in between.
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace latchkey::http {

struct ResponseMeta {
  bool keep_alive = true;
  int request_version = 11;  // 10 or 11
  bool head_request = false;
  std::string_view request_id;
};

// A final status the server can send (200..999); anything else is a handler bug.
bool is_sendable_status(int status);

// Replaces `out` with the response head and returns the body bytes to send after it (empty for
// HEAD and for statuses that have no body). Handler headers that are malformed (a CR or LF
// would let a value inject headers) or that the server owns (Content-Length, Connection...)
// are dropped and logged.
std::string_view write_response_head(std::string& out, const Response& r, const ResponseMeta& m);

}  // namespace latchkey::http
