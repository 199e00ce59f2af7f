#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "api/core/route.hpp"

namespace latchkey::api {

// Matches a path against a pattern (see Route::pattern); the {name} or {*name} part goes to
// `param`. No decoding.
bool match_path(std::string_view pattern, std::string_view path, std::string& param);

// Every route of every surface. Built once at start-up by app/, read-only afterwards.
class RouteTable {
 public:
  struct SurfaceId {
    size_t index;
  };
  struct Entry {
    SurfaceId surface;
    Route route;
  };
  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    const Surface* surface = nullptr;
    std::string param;
    std::string allowed;  // when only other methods match: their names, for Allow (405)
  };

  SurfaceId add_surface(Surface surface);
  // Throws std::logic_error for a second route with the same method and pattern, a malformed
  // pattern, or an access level the pipeline cannot check yet: a wiring mistake fails at
  // start-up, not on some request.
  void add(SurfaceId surface, Route route);

  Match match(http::Method method, std::string_view path) const;
  // The surface whose prefix is the longest that `path` starts with (the first surface if
  // none does).
  const Surface& surface_for(std::string_view path) const;
  const Surface& surface(SurfaceId id) const { return surfaces_.at(id.index); }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<Surface>& surfaces() const { return surfaces_; }

 private:
  std::vector<Surface> surfaces_;
  std::vector<Entry> entries_;
};

const char* method_name(http::Method method);
const char* access_name(Access access);

}  // namespace latchkey::api
