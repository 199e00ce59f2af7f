#include "core/time_format.hpp"

#include <chrono>
#include <cstdio>

namespace latchkey::core {

std::string format_rfc3339(Micros t) {
  using namespace std::chrono;
  const auto tp = sys_time<microseconds>(microseconds(t));
  const auto day = floor<days>(tp);
  const year_month_day ymd(day);
  const hh_mm_ss hms(tp - day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

std::optional<Micros> parse_rfc3339(std::string_view s) {
  // Accepts exactly what format_rfc3339 writes.
  int y, mo, d, h, mi, sec, us;
  if (s.size() != 27) return std::nullopt;
  std::string z(s);
  if (std::sscanf(z.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ", &y, &mo, &d, &h, &mi, &sec, &us) != 7)
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  const auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + microseconds(us);
  return duration_cast<microseconds>(tp.time_since_epoch()).count();
}

}  // namespace latchkey::core
