#include "core/time_format.hpp"

namespace latchkey::core {
namespace {

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): this runs for every
// timestamp in every response, and snprintf + <chrono> cost ten times as much.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = int64_t(yoe) + era * 400 + (m <= 2);
}

char* put_digits(char* p, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = char('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

std::string format_rfc3339(Micros t) {
  constexpr int64_t kDay = 86'400'000'000;
  int64_t days = t / kDay;
  int64_t in_day = t % kDay;
  if (in_day < 0) {
    in_day += kDay;
    --days;
  }
  int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  char buf[27];  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  char* p = put_digits(buf, year, 4);
  *p++ = '-';
  p = put_digits(p, month, 2);
  *p++ = '-';
  p = put_digits(p, day, 2);
  *p++ = 'T';
  p = put_digits(p, in_day / 3'600'000'000, 2);
  *p++ = ':';
  p = put_digits(p, in_day / 60'000'000 % 60, 2);
  *p++ = ':';
  p = put_digits(p, in_day / 1'000'000 % 60, 2);
  *p++ = '.';
  p = put_digits(p, in_day % 1'000'000, 6);
  *p++ = 'Z';
  return std::string(buf, p);
}

}  // namespace latchkey::core
