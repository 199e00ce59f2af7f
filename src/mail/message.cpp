#include "mail/message.hpp"

#include <sodium.h>

#include <cstdio>
#include <ctime>

namespace latchkey::mail {
namespace {

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Base64 in lines of 76 characters (RFC 2045).
void append_base64_lines(std::string& out, std::string_view bytes) {
  const std::string b = base64(bytes);
  for (size_t at = 0; at < b.size(); at += 76) {
    out.append(b, at, 76);
    out += "\r\n";
  }
}

std::string rfc5322_date(core::Micros now) {
  const std::time_t t = static_cast<std::time_t>(now / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  // C locale names: strftime's %a/%b follow the process locale, which is C in latchkey.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string without_line_breaks(std::string_view v) {
  std::string out;
  for (char c : v)
    if (c != '\r' && c != '\n') out += c;
  return out;
}

}  // namespace

std::string header_value(std::string_view value) {
  const std::string v = without_line_breaks(value);
  bool plain = true;
  for (unsigned char c : v) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return v;
  return "=?UTF-8?B?" + base64(v) + "?=";
}

std::string address_of(std::string_view sender) {
  const size_t open = sender.rfind('<');
  const size_t close = sender.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    sender = sender.substr(open + 1, close - open - 1);
  while (!sender.empty() && sender.front() == ' ') sender.remove_prefix(1);
  while (!sender.empty() && sender.back() == ' ') sender.remove_suffix(1);
  return without_line_breaks(sender);
}

std::string format_message(std::string_view from, std::string_view to, const MailContent& content,
                           core::Micros now, std::string_view message_id) {
  // The boundary is derived from the mail id: it cannot occur in base64 text.
  const std::string boundary = "=_latchkey_" + without_line_breaks(message_id);
  std::string m;
  // A display name with non-ASCII is encoded as a whole; the address stays readable.
  const std::string sender_address = address_of(from);
  const size_t open = from.rfind('<');
  const std::string name = open == std::string_view::npos ? "" : std::string(from.substr(0, open));
  m += "From: ";
  if (!without_line_breaks(name).empty() && name.find_first_not_of(' ') != std::string::npos)
    m += header_value(name.substr(0, name.find_last_not_of(' ') + 1)) + " ";
  m += "<" + sender_address + ">\r\n";
  m += "To: <" + address_of(to) + ">\r\n";
  m += "Subject: " + header_value(content.subject) + "\r\n";
  m += "Date: " + rfc5322_date(now) + "\r\n";
  m += "Message-ID: <" + without_line_breaks(message_id) + "@latchkey>\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  append_base64_lines(m, content.text);
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  append_base64_lines(m, content.html);
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace latchkey::mail
