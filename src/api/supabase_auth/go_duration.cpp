#include "api/supabase_auth/go_duration.hpp"

#include <cmath>

namespace latchkey::api::supabase_auth {
namespace {

constexpr double kMaxSeconds = 100.0 * 365 * 24 * 3600;

// Seconds per unit, longest unit names first so "ms" is not read as "m".
std::optional<double> unit_seconds(std::string_view& rest) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6},
      {"ms", 1e-3}, {"h", 3600},  {"m", 60},           {"s", 1}};
  for (const auto& [name, seconds] : kUnits) {
    if (rest.substr(0, name.size()) == name) {
      rest.remove_prefix(name.size());
      return seconds;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_ban_duration(std::string_view text) {
  if (text == "none") return 0;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    double value = 0;
    size_t digits = 0;
    while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
      value = value * 10 + (text.front() - '0');
      text.remove_prefix(1);
      ++digits;
      if (value > kMaxSeconds * 1e9) return std::nullopt;
    }
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      double scale = 0.1;
      while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        value += (text.front() - '0') * scale;
        scale /= 10;
        text.remove_prefix(1);
        ++digits;
      }
    }
    if (digits == 0) return std::nullopt;
    auto unit = unit_seconds(text);
    if (!unit) return std::nullopt;
    total += value * *unit;
    if (total > kMaxSeconds) return std::nullopt;
  }
  return static_cast<int64_t>(std::ceil(total));
}

}  // namespace latchkey::api::supabase_auth
