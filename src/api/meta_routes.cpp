// Service routes: banner, health, OpenAPI document and the Swagger UI.
#include "api/errors.hpp"
#include "api/response_body.hpp"
#include "api/routes.hpp"
#include "core/json_text.hpp"
#include "web/assets.hpp"

namespace latchkey::api {

http::Response json_ok(std::string body) {
  http::Response r;
  r.body = std::move(body);
  return r;
}

void reply_error(Call& call, const Error& error) { call.reply(error_response(error)); }

void get_root(Api& api, Call&& call) {
  call.reply(json_ok(message_json(api.options().service_name + " is running!")));
}

void get_health(Api& api, Call&& call) {
  api.on_store_pool(std::move(call), [&api](Call&) {
    const bool healthy = bool(api.health_check());
    std::string body = healthy
                           ? "{\"status\":\"healthy\",\"service\":"
                           : "{\"status\":\"unhealthy\",\"database\":\"unreachable\",\"service\":";
    core::append_json_string(body, api.options().service_name);
    body.push_back('}');
    auto r = json_ok(std::move(body));
    if (!healthy) {
      r.status = 503;
      r.headers.push_back({"Retry-After", "1"});
    }
    return r;
  });
}

void get_openapi(Api&, Call&& call) {
  http::Response r;
  r.static_body = web::openapi_json();
  call.reply(std::move(r));
}

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

}  // namespace

void get_docs_page(Api&, Call&& call) {
  const auto page = web::docs_asset("");
  call.reply(page ? asset_response(*page) : error_response(404, "Not Found"));
}

void get_docs_asset(Api&, Call&& call) {
  const auto asset = web::docs_asset(call.param);
  call.reply(asset ? asset_response(*asset) : error_response(404, "Not Found"));
}

}  // namespace latchkey::api
