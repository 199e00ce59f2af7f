#include "api/core/route_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace latchkey::api {
namespace {

bool is_capture(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}
bool is_rest_capture(std::string_view segment) {
  return is_capture(segment) && segment[1] == '*';
}

bool well_formed(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') return false;
  size_t start = 1;
  while (start <= pattern.size()) {
    const auto end = std::min(pattern.find('/', start), pattern.size());
    const auto segment = pattern.substr(start, end - start);
    if (is_rest_capture(segment) && end != pattern.size()) return false;  // only last
    if (segment.find_first_of("{}") != std::string_view::npos && !is_capture(segment))
      return false;
    start = end + 1;
  }
  return true;
}

bool path_starts_with(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return true;
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

bool match_path(std::string_view pattern, std::string_view path, std::string& param) {
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pat_end = pattern.find('/');
    const auto pat_seg = pattern.substr(0, pat_end);
    if (is_rest_capture(pat_seg)) {
      // The rest of the path, one or more non-empty segments.
      if (path.empty() || path.front() == '/' || path.back() == '/' ||
          path.find("//") != std::string_view::npos)
        return false;
      param.assign(path);
      return true;
    }
    const auto path_end = path.find('/');
    const auto path_seg = path.substr(0, path_end);
    if (is_capture(pat_seg)) {
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

RouteTable::SurfaceId RouteTable::add_surface(Surface surface) {
  for (const auto& s : surfaces_)
    if (s.name == surface.name) throw std::logic_error("surface added twice: " + surface.name);
  surfaces_.push_back(std::move(surface));
  return SurfaceId{surfaces_.size() - 1};
}

void RouteTable::add(SurfaceId surface, Route route) {
  const std::string what = std::string(method_name(route.method)) + " " + route.pattern;
  if (surface.index >= surfaces_.size()) throw std::logic_error("unknown surface for " + what);
  if (!well_formed(route.pattern)) throw std::logic_error("malformed route pattern: " + what);
  if (!route.handler) throw std::logic_error("route without a handler: " + what);
  // Refused until the pipeline can check them, so no route can be declared with a guarantee
  // that nothing enforces.
  if (route.access == Access::aal2)
    throw std::logic_error("access level not supported yet: " + what);
  for (const auto& e : entries_) {
    if (e.route.method == route.method && e.route.pattern == route.pattern)
      throw std::logic_error("route added twice: " + what);
  }
  entries_.push_back(Entry{surface, std::move(route)});
}

RouteTable::Match RouteTable::match(http::Method method, std::string_view path) const {
  Match m;
  std::string param;
  std::vector<http::Method> allowed;
  for (const auto& e : entries_) {
    if (!match_path(e.route.pattern, path, param)) continue;
    if (e.route.method == method) {
      m.route = &e.route;
      m.surface = &surfaces_[e.surface.index];
      m.param = std::move(param);
      m.allowed.clear();
      return m;
    }
    // Several patterns can match one path (/rest/v1/user_data and /rest/v1/{table}).
    if (std::find(allowed.begin(), allowed.end(), e.route.method) != allowed.end()) continue;
    allowed.push_back(e.route.method);
    if (!m.allowed.empty()) m.allowed += ", ";
    m.allowed += method_name(e.route.method);
  }
  m.surface = &surface_for(path);
  return m;
}

const Surface& RouteTable::surface_for(std::string_view path) const {
  if (surfaces_.empty()) throw std::logic_error("no surface registered");
  const Surface* best = &surfaces_.front();
  size_t best_len = 0;
  for (const auto& s : surfaces_) {
    if (path_starts_with(path, s.prefix) && s.prefix.size() > best_len) {
      best = &s;
      best_len = s.prefix.size();
    }
  }
  return *best;
}

const char* method_name(http::Method m) {
  switch (m) {
    case http::Method::get:
      return "GET";
    case http::Method::head:
      return "HEAD";
    case http::Method::post:
      return "POST";
    case http::Method::put:
      return "PUT";
    case http::Method::patch:
      return "PATCH";
    case http::Method::del:
      return "DELETE";
    case http::Method::options:
      return "OPTIONS";
    case http::Method::other:
      return "OTHER";
  }
  return "OTHER";
}

const char* access_name(Access access) {
  switch (access) {
    case Access::anonymous:
      return "anonymous";
    case Access::user:
      return "user";
    case Access::service_role:
      return "service_role";
    case Access::any_role:
      return "any_role";
    case Access::aal2:
      return "aal2";
  }
  return "anonymous";
}

}  // namespace latchkey::api
