#include "api/core/json_scan.hpp"

namespace latchkey::api {
namespace {

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

std::optional<size_t> json_too_deep_at(std::string_view s, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

bool find_json_nul(const nlohmann::json& v, JsonPath& loc) {
  if (v.is_string()) return has_nul(v.get_ref<const std::string&>());
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      loc.emplace_back(std::in_place_index<0>, key);
      if (has_nul(key) || find_json_nul(value, loc)) return true;
      loc.pop_back();
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      loc.emplace_back(std::in_place_index<1>, int64_t(i));
      if (find_json_nul(v[i], loc)) return true;
      loc.pop_back();
    }
  }
  return false;
}

}  // namespace latchkey::api
