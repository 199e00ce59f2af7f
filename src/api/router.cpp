#include "api/router.hpp"

namespace latchkey::api {

bool match_path(std::string_view pattern, std::string_view path, std::string& param) {
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pat_end = pattern.find('/');
    const auto path_end = path.find('/');
    const auto pat_seg = pattern.substr(0, pat_end);
    const auto path_seg = path.substr(0, path_end);
    if (pat_seg.size() >= 2 && pat_seg.front() == '{' && pat_seg.back() == '}') {
      if (path_seg.empty()) return false;
      param.assign(path_seg);
    } else if (pat_seg != path_seg) {
      return false;
    }
    pattern = pat_end == std::string_view::npos ? std::string_view() : pattern.substr(pat_end);
    path = path_end == std::string_view::npos ? std::string_view() : path.substr(path_end);
  }
  return true;
}

}  // namespace latchkey::api
