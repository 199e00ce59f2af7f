#include "web/assets.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace latchkey::web {
namespace {

using nlohmann::json;

json openapi() { return json::parse(openapi_json()); }

struct Route {
  std::string method;
  std::string path;
  bool needs_bearer;
};

// Every route of the seed API (shared/spec/seed-api.md). The server serves more (the account
// routes); RouteDocs (route_docs_test.cpp) checks the document against its real route table.
const std::vector<Route> kRoutes = {
    {"get", "/", false},
    {"get", "/health", false},
    {"post", "/auth/register", false},
    {"post", "/auth/login", false},
    {"post", "/auth/logout", true},
    {"get", "/auth/me", true},
    {"post", "/auth/refresh", false},
    {"post", "/data", true},
    {"get", "/data", true},
    {"get", "/data/{id}", true},
    {"put", "/data/{id}", true},
    {"delete", "/data/{id}", true},
};

// Resolves a local "#/a/b" reference; null if it points at nothing.
const json* resolve(const json& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const json::json_pointer pointer(ref.substr(1));
  return doc.contains(pointer) ? &doc.at(pointer) : nullptr;
}

const json& deref(const json& doc, const json& node) {
  if (node.is_object() && node.contains("$ref")) {
    const json* target = resolve(doc, node.at("$ref").get<std::string>());
    if (target == nullptr) throw std::runtime_error("dangling $ref");
    return deref(doc, *target);
  }
  return node;
}

void collect_refs(const json& node, std::vector<std::string>& refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) refs.push_back(value.get<std::string>());
      collect_refs(value, refs);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) collect_refs(value, refs);
  }
}

TEST(OpenApi, IsOpenApi31Json) {
  const json doc = openapi();
  ASSERT_TRUE(doc.contains("openapi"));
  EXPECT_EQ(doc.at("openapi").get<std::string>().rfind("3.1.", 0), 0u);
  EXPECT_TRUE(doc.at("info").contains("title"));
  EXPECT_TRUE(doc.at("info").contains("version"));
}

TEST(OpenApi, DocumentsEveryRouteWithASuccessResponse) {
  const json doc = openapi();
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.path);
    ASSERT_TRUE(doc.at("paths").contains(route.path));
    const json& item = doc.at("paths").at(route.path);
    ASSERT_TRUE(item.contains(route.method));
    EXPECT_TRUE(item.at(route.method).at("responses").contains("200"));
  }
}

TEST(OpenApi, ProtectedRoutesAskForTheBearerTokenAndPublicOnesDoNot) {
  const json doc = openapi();
  const json bearer = json::array({{{"bearerAuth", json::array()}}});
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.path);
    const json& operation = doc.at("paths").at(route.path).at(route.method);
    if (route.needs_bearer) {
      ASSERT_TRUE(operation.contains("security"));
      EXPECT_EQ(operation.at("security"), bearer);
      const json& unauthorized = deref(doc, operation.at("responses").at("401"));
      EXPECT_TRUE(unauthorized.at("headers").contains("WWW-Authenticate"));
    } else {
      EXPECT_FALSE(operation.contains("security"));
    }
  }
  EXPECT_FALSE(doc.contains("security")) << "a global requirement would lock the public routes";
}

TEST(OpenApi, BearerAuthSchemeMakesTheAuthorizeButtonWork) {
  const json scheme = openapi().at("components").at("securitySchemes").at("bearerAuth");
  EXPECT_EQ(scheme.at("type"), "http");
  EXPECT_EQ(scheme.at("scheme"), "bearer");
  EXPECT_EQ(scheme.at("bearerFormat"), "JWT");
}

TEST(OpenApi, EveryRefResolves) {
  const json doc = openapi();
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  EXPECT_GT(refs.size(), 20u);
  for (const auto& ref : refs) EXPECT_NE(resolve(doc, ref), nullptr) << ref;
}

TEST(OpenApi, DefinesEverySchemaTheApiSpeaks) {
  const json schemas = openapi().at("components").at("schemas");
  for (const char* name :
       {"RegisterRequest", "LoginRequest", "RefreshRequest", "User", "AuthResponse", "ItemCreate",
        "ItemUpdate", "Item", "Message", "Health", "ErrorResponse", "ValidationError"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  const json& error = schemas.at("ErrorResponse").at("properties");
  for (const char* field : {"detail", "error", "message", "status_code"}) {
    EXPECT_TRUE(error.contains(field)) << field;
  }
  EXPECT_EQ(schemas.at("ValidationError").at("required"), json::array({"loc", "msg", "type"}));
}

TEST(OpenApi, FieldConstraintsMatchTheSpec) {
  const json schemas = openapi().at("components").at("schemas");
  const json& email = schemas.at("RegisterRequest").at("properties").at("email");
  EXPECT_EQ(email.at("format"), "email");
  EXPECT_EQ(email.at("maxLength"), 254);
  const json& password = schemas.at("RegisterRequest").at("properties").at("password");
  EXPECT_EQ(password.at("minLength"), 8);
  EXPECT_EQ(password.at("maxLength"), 1024);
  EXPECT_EQ(schemas.at("RegisterRequest").at("properties").at("full_name").at("maxLength"), 255);
  const json& title = schemas.at("ItemCreate").at("properties").at("title");
  EXPECT_EQ(title.at("minLength"), 1);
  EXPECT_EQ(title.at("maxLength"), 255);
  EXPECT_EQ(schemas.at("ItemCreate").at("required"), json::array({"title", "content"}));
  EXPECT_EQ(schemas.at("ItemCreate").at("properties").at("metadata").at("type"),
            json::array({"object", "null"}));
}

TEST(OpenApi, ListParametersHaveTheSpecRangesAndDefaults) {
  const json doc = openapi();
  const json& parameters = doc.at("paths").at("/data").at("get").at("parameters");
  ASSERT_EQ(parameters.size(), 2u);
  const json& limit = deref(doc, parameters.at(0));
  const json& offset = deref(doc, parameters.at(1));
  EXPECT_EQ(limit.at("name"), "limit");
  EXPECT_EQ(limit.at("schema").at("minimum"), 1);
  EXPECT_EQ(limit.at("schema").at("maximum"), 1000);
  EXPECT_EQ(limit.at("schema").at("default"), 100);
  EXPECT_EQ(offset.at("name"), "offset");
  EXPECT_EQ(offset.at("schema").at("minimum"), 0);
  EXPECT_EQ(offset.at("schema").at("default"), 0);
}

TEST(OpenApi, ItemPathDeclaresItsIdParameter) {
  const json doc = openapi();
  const json& parameters = doc.at("paths").at("/data/{id}").at("parameters");
  ASSERT_EQ(parameters.size(), 1u);
  const json& id = deref(doc, parameters.at(0));
  EXPECT_EQ(id.at("name"), "id");
  EXPECT_EQ(id.at("in"), "path");
  EXPECT_EQ(id.at("required"), true);
}

TEST(OpenApi, DocumentsTheErrorStatusesOfEachRoute) {
  struct Case {
    std::string method, path, status;
  };
  const std::vector<Case> cases = {
      {"get", "/health", "503"},         {"post", "/auth/register", "400"},
      {"post", "/auth/register", "422"}, {"post", "/auth/register", "413"},
      {"post", "/auth/login", "401"},    {"post", "/auth/login", "429"},
      {"post", "/auth/refresh", "401"},  {"post", "/data", "422"},
      {"get", "/data", "422"},           {"get", "/data/{id}", "404"},
      {"put", "/data/{id}", "400"},      {"put", "/data/{id}", "404"},
      {"delete", "/data/{id}", "404"},
  };
  const json doc = openapi();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path + " " + c.status);
    const json& responses = doc.at("paths").at(c.path).at(c.method).at("responses");
    ASSERT_TRUE(responses.contains(c.status));
    const json& response = deref(doc, responses.at(c.status));
    if (c.status == "429") {
      EXPECT_TRUE(response.at("headers").contains("Retry-After"));
    }
    if (c.status != "503") {
      EXPECT_EQ(response.at("content").at("application/json").at("schema").at("$ref"),
                "#/components/schemas/ErrorResponse");
    }
  }
}

std::string page() {
  const auto asset = docs_asset("");
  return asset ? std::string(asset->body) : std::string();
}

TEST(DocsPage, IsHtml) {
  const auto asset = docs_asset("");
  ASSERT_TRUE(asset.has_value());
  EXPECT_EQ(asset->content_type, "text/html; charset=utf-8");
  EXPECT_NE(asset->body.find("<div id=\"swagger-ui\">"), std::string_view::npos);
}

// A strict Content-Security-Policy (script-src 'self'; style-src 'self') must be enough.
TEST(DocsPage, HasNoInlineScriptOrStyle) {
  const std::string html = page();
  const std::regex script(R"(<script([^>]*)>([\s\S]*?)</script>)", std::regex::icase);
  int scripts = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), script), end; it != end; ++it) {
    ++scripts;
    EXPECT_NE((*it)[1].str().find("src="), std::string::npos) << it->str();
    EXPECT_TRUE(std::regex_match((*it)[2].str(), std::regex(R"(\s*)"))) << it->str();
  }
  EXPECT_EQ(scripts, 2);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<style)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\sstyle\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(javascript:)", std::regex::icase)));
}

std::string_view expected_type(const std::string& name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  return "";
}

TEST(DocsPage, EveryAssetItReferencesIsServedFromDocs) {
  const std::string html = page();
  const std::regex reference(R"#((?:src|href)="([^"]*)")#");
  int references = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), reference), end; it != end; ++it) {
    ++references;
    const std::string url = (*it)[1].str();
    SCOPED_TRACE(url);
    // Offline: nothing from another host, everything under /docs/.
    ASSERT_EQ(url.rfind("/docs/", 0), 0u);
    const std::string name = url.substr(6);
    const auto asset = docs_asset(name);
    ASSERT_TRUE(asset.has_value());
    EXPECT_FALSE(asset->body.empty());
    EXPECT_EQ(asset->content_type, expected_type(name));
  }
  EXPECT_EQ(references, 5);
}

TEST(DocsPage, InitializerLoadsOurDocumentAndKeepsTheToken) {
  const auto initializer = docs_asset("swagger-initializer.js");
  ASSERT_TRUE(initializer.has_value());
  EXPECT_NE(initializer->body.find("url: \"/openapi.json\""), std::string_view::npos);
  EXPECT_NE(initializer->body.find("dom_id: \"#swagger-ui\""), std::string_view::npos);
  EXPECT_NE(initializer->body.find("persistAuthorization: true"), std::string_view::npos);
  // The default validator badge would fetch an image from a public host.
  EXPECT_NE(initializer->body.find("validatorUrl: null"), std::string_view::npos);
}

TEST(DocsAssets, SwaggerUiBundleIsReallyEmbedded) {
  const auto bundle = docs_asset("swagger-ui-bundle.js");
  ASSERT_TRUE(bundle.has_value());
  EXPECT_GT(bundle->body.size(), 500'000u);
  EXPECT_NE(bundle->body.find("SwaggerUIBundle"), std::string_view::npos);
  const auto css = docs_asset("swagger-ui.css");
  ASSERT_TRUE(css.has_value());
  EXPECT_NE(css->body.find(".swagger-ui"), std::string_view::npos);
}

TEST(DocsAssets, FaviconIsAPng) {
  const auto icon = docs_asset("favicon-32x32.png");
  ASSERT_TRUE(icon.has_value());
  EXPECT_EQ(icon->body.substr(0, 8), std::string_view("\x89PNG\r\n\x1a\n", 8));
}

TEST(DocsAssets, OnlyExactKnownNamesAreServed) {
  for (const char* name : {"../openapi.json", "openapi.json", "/swagger-ui.css", "SWAGGER-UI.CSS",
                           "swagger-ui.css.map", "swagger-ui.css/", "index.html", "docs.html",
                           "./swagger-ui.css", "swagger-ui-bundle.js%00", "%2e%2e/"}) {
    EXPECT_FALSE(docs_asset(name).has_value()) << name;
  }
}

}  // namespace
}  // namespace latchkey::web
