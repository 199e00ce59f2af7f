#pragma once
// Go's time.ParseDuration syntax, which GoTrue's admin API takes for ban_duration ("24h",
// "1h30m", "90s", "none").
#include <cstdint>
#include <optional>
#include <string_view>

namespace latchkey::api::supabase_auth {

// Whole seconds (fractions rounded up, so a ban never ends early); 0 for "none"; nullopt
// for anything malformed, negative, or beyond 100 years.
std::optional<int64_t> parse_ban_duration(std::string_view text);

}  // namespace latchkey::api::supabase_auth
