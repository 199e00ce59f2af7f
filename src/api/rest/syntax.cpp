#include "api/rest/syntax.hpp"

#include <algorithm>

namespace latchkey::api::rest {
namespace {

bool is_name_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '$' || c == ' ' || u >= 0x80;
}

}  // namespace

bool Cursor::eat(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

bool Cursor::eat(std::string_view s) {
  if (!starts_with(s)) return false;
  pos_ += s.size();
  return true;
}

void Cursor::skip_blanks() {
  while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
}

Error Cursor::error(std::string details) const {
  const size_t column = std::min(pos_, text_.size()) + 1;
  std::string message = "\"failed to parse ";
  message.append(what_).append(" (").append(shown_).append(")\" (line 1, column ");
  message.append(std::to_string(column)).append(")");
  return Error::make(ErrorCode::query_parse_failed, std::move(message))
      .with_details(std::move(details));
}

Error Cursor::expected(std::string_view expecting) const {
  std::string details = "unexpected ";
  if (at_end()) {
    details += "end of input";
  } else {
    details.append("\"").append(1, text_[pos_]).append("\"");
  }
  details.append(" expecting ").append(expecting);
  return error(std::move(details));
}

std::optional<std::string> read_quoted(Cursor& c) {
  const size_t start = c.pos();
  if (!c.eat('"')) return std::nullopt;
  std::string out;
  while (!c.at_end()) {
    const char ch = c.peek();
    c.advance();
    if (ch == '"') return out;
    if (ch == '\\') {
      if (c.at_end()) break;
      out.push_back(c.peek());
      c.advance();
    } else {
      out.push_back(ch);
    }
  }
  c.seek(start);
  return std::nullopt;
}

std::optional<std::string> read_field_name(Cursor& c) {
  if (c.peek() == '"') return read_quoted(c);
  const size_t start = c.pos();
  std::string_view rest = c.rest();
  size_t n = 0;
  while (n < rest.size() &&
         (is_name_char(rest[n]) || (rest[n] == '-' && rest.substr(n, 2) != "->"))) {
    ++n;
  }
  std::string_view name = rest.substr(0, n);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  c.seek(start + n);
  return std::string(name);
}

Error over_limit(std::string message) {
  return Error::make(ErrorCode::query_parse_failed, std::move(message));
}

}  // namespace latchkey::api::rest
