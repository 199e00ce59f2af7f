#pragma once
// The lexical pieces PostgREST's query grammar shares (field names, quoted values, blanks) and
// its parse-error shape: message `"failed to parse filter (x.y)" (line 1, column N)`, details
// `unexpected "y" expecting ...`. Internal to api/rest.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace latchkey::api::rest {

// A position in one parameter's text, and what an error there is reported as.
class Cursor {
 public:
  // `what` names the parameter kind ("filter", "logic tree", "order", "select parameter"...);
  // `shown` is the text the message quotes (a logic tree shows its value without the `or`).
  Cursor(std::string_view text, std::string_view what, std::string_view shown)
      : text_(text), what_(what), shown_(shown) {}
  Cursor(std::string_view text, std::string_view what) : Cursor(text, what, text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos; }
  void advance(size_t n = 1) { pos_ += n; }
  std::string_view rest() const { return text_.substr(pos_); }
  bool starts_with(std::string_view s) const { return rest().substr(0, s.size()) == s; }
  bool eat(char c);
  bool eat(std::string_view s);
  // Spaces and tabs, which PostgREST's grammar allows around list separators.
  void skip_blanks();

  // PGRST100 at the current position: `unexpected "c" expecting <expecting>`.
  Error expected(std::string_view expecting) const;
  // PGRST100 at the current position with free-form details.
  Error error(std::string details) const;

 private:
  std::string_view text_, what_, shown_;
  size_t pos_ = 0;
};

// PostgREST's pFieldName: a double-quoted name (backslash escapes any character) or a run of
// letters, digits, '_', '$', spaces and '-' (but not the '-' of a '->' JSON arrow), with
// surrounding spaces dropped. Bytes >= 0x80 count as letters (UTF-8 names). nullopt, with
// the cursor unmoved, if there is none.
std::optional<std::string> read_field_name(Cursor& c);

// A double-quoted value starting at the cursor, backslash escaping any character; nullopt,
// with the cursor unmoved, if the cursor is not at '"' or the quote is never closed.
std::optional<std::string> read_quoted(Cursor& c);

// PGRST100 for a limit a request exceeded (too many filters, too deep a tree...).
Error over_limit(std::string message);

}  // namespace latchkey::api::rest
