#include "api/docs/docs_surface.hpp"

#include "web/assets.hpp"

namespace latchkey::api::docs {
namespace {

http::Response asset_response(const web::Asset& asset) {
  http::Response r;
  r.content_type = std::string(asset.content_type);
  r.static_body = asset.body;
  // The docs page runs no inline script: everything comes from our own origin.
  r.headers.push_back({"Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                       "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
                       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"});
  return r;
}

Outcome asset_or_404(std::string_view name) {
  const auto asset = web::docs_asset(name);
  if (!asset) return Error::make(ErrorCode::not_found, "Not Found", "no such docs asset");
  return asset_response(*asset);
}

}  // namespace

RouteTable::SurfaceId add_docs_surface(RouteTable& table, ErrorRenderer errors, CorsPolicy cors) {
  const auto surface =
      table.add_surface(Surface{"docs", "/docs", std::move(errors), std::move(cors)});
  auto add = [&](const char* pattern, RouteHandler handler) {
    Route route{http::Method::get, pattern, Access::anonymous, std::move(handler)};
    route.documented = false;  // they serve the document
    table.add(surface, std::move(route));
  };
  add("/openapi.json", [](Call&) -> Outcome {
    http::Response r;
    r.static_body = web::openapi_json();
    return r;
  });
  add("/docs", [](Call&) { return asset_or_404(""); });
  add("/docs/{*file}", [](Call& call) { return asset_or_404(call.param); });
  return surface;
}

}  // namespace latchkey::api::docs
