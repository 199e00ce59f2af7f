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

}  // namespace latchkey::core
