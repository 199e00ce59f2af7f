#pragma once

#include <optional>
#include <string_view>

// The files behind GET /docs and GET /openapi.json, embedded in the binary at build time so the
// documentation works offline and cannot drift from the server that serves it.
namespace latchkey::web {

struct Asset {
  std::string_view body;          // the file's bytes; alive for the whole process
  std::string_view content_type;  // a full Content-Type value, e.g. "text/css; charset=utf-8"
};

// A file under /docs/: "" is the Swagger UI page itself (GET /docs), otherwise a file name such
// as "swagger-ui.css" (GET /docs/swagger-ui.css). nullopt for any other name; names are matched
// exactly, so nothing outside the embedded set (no "..", no subfolder) can be reached.
std::optional<Asset> docs_asset(std::string_view name);

// The OpenAPI 3.1 document describing every route (GET /openapi.json).
std::string_view openapi_json();

}  // namespace latchkey::web
