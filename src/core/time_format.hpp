#pragma once
#include <string>

#include "core/clock.hpp"

namespace latchkey::core {

// RFC 3339 in UTC with microseconds: 2026-11-25T12:00:00.123456Z
std::string format_rfc3339(Micros t);

}  // namespace latchkey::core
