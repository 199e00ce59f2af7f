#include "http/response_head.hpp"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "core/ascii.hpp"
#include "core/log.hpp"

namespace latchkey::http {
namespace {

namespace bhttp = boost::beast::http;

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Security: a CR or LF in a value would end the header early and let whatever follows
// (attacker-influenced data echoed by a handler) forge headers or a whole response.
bool valid_value(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

// Headers whose value only the server can know; a handler copy would contradict ours.
bool is_reserved(std::string_view name) {
  for (const std::string_view r :
       {"content-length", "transfer-encoding", "connection", "date", "server", "x-request-id"}) {
    if (core::ascii_iequals(name, r)) return true;
  }
  return false;
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// IMF-fixdate, recomputed at most once a second per thread. Fixed English names because
// strftime's %a/%b follow the process locale.
std::string_view http_date() {
  struct Cache {
    std::time_t second = -1;
    char text[32] = {};
    size_t size = 0;
  };
  thread_local Cache cache;
  const std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    const int n = std::snprintf(
        cache.text, sizeof cache.text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
        tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cache.size = n > 0 ? static_cast<size_t>(n) : 0;
    cache.second = now;
  }
  return {cache.text, cache.size};
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

bool is_sendable_status(int status) { return status >= 200 && status <= 999; }

std::string_view write_response_head(std::string& out, const Response& r, const ResponseMeta& m) {
  // RFC 9110: 204 and 304 never carry content (nor, for 204, a Content-Length).
  const bool has_content = r.status != 204 && r.status != 304;
  const std::string_view payload = has_content ? r.payload() : std::string_view{};

  out.clear();
  out += "HTTP/1.1 ";
  append_number(out, static_cast<uint64_t>(r.status));
  out += ' ';
  const auto known = bhttp::int_to_status(static_cast<unsigned>(r.status));
  if (known != bhttp::status::unknown) out += bhttp::obsolete_reason(known);
  out += "\r\nServer: latchkey\r\n";
  append_header(out, "Date", http_date());
  if (has_content && !r.content_type.empty()) {
    if (valid_value(r.content_type)) {
      append_header(out, "Content-Type", r.content_type);
    } else {
      core::log_event(core::LogLevel::warn, "response header dropped", {{"name", "Content-Type"}});
    }
  }
  for (const auto& h : r.headers) {
    if (!valid_name(h.name) || !valid_value(h.value) || is_reserved(h.name)) {
      // The name is logged only when it is a well-formed token, so this line stays clean.
      core::log_event(core::LogLevel::warn, "response header dropped",
                      {{"name", valid_name(h.name) ? std::string_view(h.name) : "<invalid>"}});
      continue;
    }
    append_header(out, h.name, h.value);
  }
  if (!m.request_id.empty()) append_header(out, "X-Request-Id", m.request_id);
  if (has_content) {
    out += "Content-Length: ";
    append_number(out, payload.size());
    out += "\r\n";
  }
  if (!m.keep_alive) {
    out += "Connection: close\r\n";
  } else if (m.request_version < 11) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return m.head_request ? std::string_view{} : payload;
}

}  // namespace latchkey::http
