#include "web/assets.hpp"

#include <array>

// Each file is placed in .rodata by assets.S (generated from assets.S.in), between a _begin and
// an _end symbol. Hidden visibility keeps the symbols out of any dynamic symbol table.
#define LATCHKEY_WEB_EMBEDDED(name)                                                          \
  extern "C" __attribute__((visibility("hidden"))) const char latchkey_web_##name##_begin[]; \
  extern "C" __attribute__((visibility("hidden"))) const char latchkey_web_##name##_end[];

LATCHKEY_WEB_EMBEDDED(docs_html)
LATCHKEY_WEB_EMBEDDED(swagger_initializer_js)
LATCHKEY_WEB_EMBEDDED(openapi_json)
LATCHKEY_WEB_EMBEDDED(swagger_ui_css)
LATCHKEY_WEB_EMBEDDED(swagger_ui_bundle_js)
LATCHKEY_WEB_EMBEDDED(index_css)
LATCHKEY_WEB_EMBEDDED(favicon_32x32_png)

#define LATCHKEY_WEB_VIEW(name)                 \
  std::string_view(latchkey_web_##name##_begin, \
                   latchkey_web_##name##_end - latchkey_web_##name##_begin)

namespace latchkey::web {
namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kCss = "text/css; charset=utf-8";
constexpr std::string_view kJavaScript = "text/javascript; charset=utf-8";
constexpr std::string_view kPng = "image/png";

struct NamedAsset {
  std::string_view name;
  Asset asset;
};

// Built on first use: the views point into .rodata, so this is a table of pointers, not copies.
const std::array<NamedAsset, 6>& docs_assets() {
  static const std::array<NamedAsset, 6> assets{{
      {"", {LATCHKEY_WEB_VIEW(docs_html), kHtml}},
      {"swagger-initializer.js", {LATCHKEY_WEB_VIEW(swagger_initializer_js), kJavaScript}},
      {"swagger-ui.css", {LATCHKEY_WEB_VIEW(swagger_ui_css), kCss}},
      {"swagger-ui-bundle.js", {LATCHKEY_WEB_VIEW(swagger_ui_bundle_js), kJavaScript}},
      {"index.css", {LATCHKEY_WEB_VIEW(index_css), kCss}},
      {"favicon-32x32.png", {LATCHKEY_WEB_VIEW(favicon_32x32_png), kPng}},
  }};
  return assets;
}

}  // namespace

std::optional<Asset> docs_asset(std::string_view name) {
  for (const auto& entry : docs_assets()) {
    if (entry.name == name) return entry.asset;
  }
  return std::nullopt;
}

std::string_view openapi_json() { return LATCHKEY_WEB_VIEW(openapi_json); }

}  // namespace latchkey::web
