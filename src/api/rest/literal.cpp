#include "api/rest/literal.hpp"

#include "api/core/json_scan.hpp"
#include "core/time_format.hpp"

namespace latchkey::api::rest {
namespace {

using store::ColumnType;

constexpr int64_t kMicrosPerSecond = 1'000'000;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// A left-to-right reader over the timestamp text.
struct Reader {
  std::string_view s;
  size_t i = 0;

  bool at_end() const { return i == s.size(); }
  char peek() const { return at_end() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly `n` decimal digits.
  bool digits(int n, int& out) {
    out = 0;
    for (int k = 0; k < n; ++k, ++i) {
      if (at_end() || s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  }
};

// `.ffffff...` after the seconds, in microseconds, rounded half up on the seventh digit.
bool read_fraction(Reader& r, int64_t& micros) {
  micros = 0;
  if (!r.eat('.')) return true;
  int count = 0;
  bool round_up = false;
  for (; !r.at_end() && r.peek() >= '0' && r.peek() <= '9'; ++r.i, ++count) {
    if (count < 6) micros = micros * 10 + (r.peek() - '0');
    if (count == 6) round_up = r.peek() >= '5';
  }
  if (count == 0) return false;
  for (int k = count; k < 6; ++k) micros *= 10;
  micros += round_up;
  return true;
}

// `Z`, `+hh`, `+hh:mm` or `+hhmm` (or `-`), as seconds east of UTC; absent is UTC.
bool read_offset(Reader& r, int64_t& seconds) {
  seconds = 0;
  if (r.at_end()) return true;
  if (r.eat('Z') || r.eat('z')) return true;
  const char sign = r.peek();
  if (sign != '+' && sign != '-') return false;
  ++r.i;
  int h = 0, m = 0;
  if (!r.digits(2, h)) return false;
  if (r.eat(':')) {
    if (!r.digits(2, m)) return false;
  } else if (!r.at_end() && !r.digits(2, m)) {
    return false;
  }
  // PostgreSQL accepts offsets up to 15:59.
  if (h > 15 || m > 59) return false;
  seconds = (sign == '-' ? -1 : 1) * int64_t(h * 3600 + m * 60);
  return true;
}

// `Thh:mm[:ss[.f]]` (or a space, or `t`) after the date, as microseconds into the day.
bool read_time(Reader& r, int64_t& micros) {
  int h = 0, m = 0, sec = 0;
  if (!r.digits(2, h) || !r.eat(':') || !r.digits(2, m)) return false;
  int64_t frac = 0;
  if (r.eat(':') && (!r.digits(2, sec) || !read_fraction(r, frac))) return false;
  // 24:00:00 is midnight of the next day and 23:59:60 a leap second, as PostgreSQL reads them.
  const bool midnight = h == 24 && m == 0 && sec == 0 && frac == 0;
  if ((h > 23 && !midnight) || m > 59 || sec > 60) return false;
  micros = (int64_t(h) * 3600 + m * 60 + sec) * kMicrosPerSecond + frac;
  return true;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Error invalid_json() {
  return Error::make(ErrorCode::invalid_text_representation, "invalid input syntax for type json");
}

Result<store::Literal> json_literal(std::string_view text) {
  if (json_too_deep_at(text)) return fail(invalid_json());
  auto v = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  // A number beyond double range parses as discarded too (no exception with this overload).
  if (v.is_discarded()) return fail(invalid_json());
  JsonPath loc;
  if (find_json_nul(v, loc)) return fail(nul_in_json_value());
  return store::Literal(canonical_json(v));
}

}  // namespace

std::string_view sql_type_name(store::ItemColumn c) {
  if (c == store::ItemColumn::title) return "character varying";
  switch (store::column_type(c)) {
    case ColumnType::uuid: return "uuid";
    case ColumnType::text: return "text";
    case ColumnType::jsonb: return "jsonb";
    case ColumnType::timestamp: return "timestamp with time zone";
  }
  return "text";
}

std::optional<core::Micros> parse_timestamp(std::string_view text) {
  Reader r{trim_spaces(text)};
  int y = 0, mo = 0, d = 0;
  if (!r.digits(4, y) || !r.eat('-') || !r.digits(2, mo) || !r.eat('-') || !r.digits(2, d)) {
    return std::nullopt;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || unsigned(d) > days_in_month(y, unsigned(mo))) {
    return std::nullopt;
  }
  int64_t in_day = 0, offset = 0;
  if (!r.at_end()) {
    if (!r.eat('T') && !r.eat('t') && !r.eat(' ')) return std::nullopt;
    if (!read_time(r, in_day)) return std::nullopt;
    r.eat(' ');  // PostgreSQL allows a space before the zone: `12:00:00 +02`
    if (!read_offset(r, offset)) return std::nullopt;
  }
  if (!r.at_end()) return std::nullopt;
  const int64_t days = days_from_civil(y, unsigned(mo), unsigned(d));
  return days * 86'400 * kMicrosPerSecond + in_day - offset * kMicrosPerSecond;
}

std::string format_timestamp(core::Micros t) {
  std::string s = core::format_rfc3339(t);  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  s.pop_back();                             // the Z
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  s += "+00:00";
  return s;
}

store::JsonText canonical_json(const nlohmann::json& v) { return store::JsonText{v.dump()}; }

Result<store::Literal> literal_from_text(store::ItemColumn c, std::string_view text) {
  switch (store::column_type(c)) {
    case ColumnType::text: return store::Literal(std::string(text));
    case ColumnType::uuid: {
      auto u = core::Uuid::parse(text);
      if (!u) return fail(invalid_uuid(text));
      return store::Literal(*u);
    }
    case ColumnType::timestamp: {
      auto t = parse_timestamp(text);
      if (!t) return fail(invalid_timestamp(text));
      return store::Literal(*t);
    }
    case ColumnType::jsonb: return json_literal(text);
  }
  return store::Literal(std::string(text));
}

Error invalid_uuid(std::string_view text) {
  return Error::make(ErrorCode::invalid_text_representation,
                     "invalid input syntax for type uuid: \"" + std::string(text) + "\"");
}

Error invalid_timestamp(std::string_view text) {
  return Error::make(ErrorCode::invalid_datetime_format,
                     "invalid input syntax for type timestamp with time zone: \"" +
                         std::string(text) + "\"");
}

Error nul_in_json_value() {
  return Error::make(ErrorCode::untranslatable_character, "unsupported Unicode escape sequence")
      .with_details("\\u0000 cannot be converted to text.");
}

}  // namespace latchkey::api::rest
