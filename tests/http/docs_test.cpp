// /openapi.json and /docs (Swagger UI served offline by latchkey itself).
#include <regex>
#include <set>

#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(DocsTest, both);

class DocsTest : public ApiTest {};

// The key in `paths` for a route, allowing any name for the `{id}` parameter.
std::optional<std::string> find_path(const json& paths, const std::string& route) {
  if (paths.contains(route)) return route;
  if (route == "/data/{id}") {
    for (const auto& [key, value] : paths.items()) {
      if (std::regex_match(key, std::regex(R"(/data/\{[A-Za-z_][A-Za-z0-9_]*\})"))) return key;
    }
  }
  return std::nullopt;
}

TEST_F(DocsTest, OpenApiDescribesEveryRoute) {
  const Response r = client().get("/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_NE(r.header("Content-Type").value_or("").find("application/json"), std::string::npos);
  const json doc = r.json();
  ASSERT_TRUE(doc.is_object()) << "not JSON";
  ASSERT_TRUE(doc.contains("openapi") && doc["openapi"].is_string());
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.1", 0), 0u) << doc["openapi"];
  ASSERT_TRUE(doc.contains("info") && doc["info"].is_object());
  EXPECT_TRUE(doc["info"].contains("title") && doc["info"]["title"].is_string());
  EXPECT_TRUE(doc["info"].contains("version") && doc["info"]["version"].is_string());
  ASSERT_TRUE(doc.contains("paths") && doc["paths"].is_object());
  const json& paths = doc["paths"];

  const std::vector<std::pair<std::string, std::vector<std::string>>> routes = {
      {"/", {"get"}},
      {"/health", {"get"}},
      {"/auth/register", {"post"}},
      {"/auth/login", {"post"}},
      {"/auth/logout", {"post"}},
      {"/auth/me", {"get"}},
      {"/auth/refresh", {"post"}},
      {"/data", {"get", "post"}},
      {"/data/{id}", {"get", "put", "delete"}},
  };
  for (const auto& [route, methods] : routes) {
    const auto key = find_path(paths, route);
    ASSERT_TRUE(key) << "no path for " << route;
    for (const auto& method : methods) {
      ASSERT_TRUE(paths[*key].contains(method)) << method << " " << route;
      const json& op = paths[*key][method];
      EXPECT_TRUE(op.contains("responses") && op["responses"].is_object() &&
                  !op["responses"].empty())
          << method << " " << route << " has no responses";
    }
  }
}

TEST_F(DocsTest, OpenApiHasSchemasAndBearerSecurity) {
  const json doc = client().get("/openapi.json").json();
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc.contains("components") && doc["components"].is_object());
  const json& components = doc["components"];
  ASSERT_TRUE(components.contains("schemas") && components["schemas"].is_object());
  EXPECT_GE(components["schemas"].size(), 4u) << components["schemas"].dump();
  ASSERT_TRUE(components.contains("securitySchemes") && components["securitySchemes"].is_object());
  bool bearer_scheme = false;
  for (const auto& [name, scheme] : components["securitySchemes"].items()) {
    bearer_scheme =
        bearer_scheme ||
        (scheme.value("type", "") == "http" &&
         (scheme.value("scheme", "") == "bearer" || scheme.value("scheme", "") == "Bearer"));
  }
  EXPECT_TRUE(bearer_scheme) << components["securitySchemes"].dump();

  // Protected operations say so; the request bodies point at schemas.
  const json& paths = doc["paths"];
  ASSERT_TRUE(paths.contains("/auth/me"));
  const json& me = paths["/auth/me"]["get"];
  EXPECT_TRUE((me.contains("security") && !me["security"].empty()) ||
              (doc.contains("security") && !doc["security"].empty()))
      << "/auth/me does not require the bearer scheme";
  ASSERT_TRUE(paths.contains("/auth/register"));
  EXPECT_TRUE(paths["/auth/register"]["post"].contains("requestBody"));
}

TEST_F(DocsTest, OpenApiRefsResolve) {
  const json doc = client().get("/openapi.json").json();
  ASSERT_TRUE(doc.is_object());
  std::vector<std::string> refs;
  const std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (k == "$ref" && v.is_string()) refs.push_back(v);
        walk(v);
      }
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(doc);
  EXPECT_FALSE(refs.empty()) << "no $ref at all: schemas are not shared";
  for (const auto& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(doc.contains(json::json_pointer(ref.substr(1)))) << "dangling " << ref;
  }
}

TEST_F(DocsTest, DocsPageIsHtmlAndItsAssetsLoadLocally) {
  const Response r = client().get("/docs");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_NE(r.header("Content-Type").value_or("").find("text/html"), std::string::npos);
  std::string lower_body = r.body;
  for (auto& c : lower_body) c = char(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(lower_body.find("swagger"), std::string::npos);

  const std::regex attr(R"re((?:src|href)\s*=\s*["']([^"']+)["'])re", std::regex::icase);
  std::set<std::string> assets;
  for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), attr);
       it != std::sregex_iterator(); ++it) {
    assets.insert((*it)[1].str());
  }
  size_t scripts = 0;
  std::string page_and_scripts = r.body;
  for (const auto& asset : assets) {
    // Offline means no CDN: every asset comes from latchkey itself.
    EXPECT_EQ(asset.find("//"), std::string::npos) << "external asset " << asset;
    if (asset.find("//") != std::string::npos || asset.rfind("data:", 0) == 0 ||
        asset.rfind("#", 0) == 0) {
      continue;
    }
    // A relative reference resolves against /docs, i.e. from the root.
    std::string resolved = asset;
    if (resolved.rfind("./", 0) == 0) resolved.erase(0, 2);
    if (resolved[0] != '/') resolved = "/" + resolved;
    const Response a = client().get(resolved);
    EXPECT_EQ(a.status, 200) << "asset " << asset;
    EXPECT_FALSE(a.body.empty()) << "asset " << asset;
    if (asset.find(".js") != std::string::npos) {
      ++scripts;
      page_and_scripts += a.body;
      EXPECT_NE(a.header("Content-Type").value_or("").find("javascript"), std::string::npos)
          << asset << ": " << a.header("Content-Type").value_or("<none>");
    }
    if (asset.find(".css") != std::string::npos) {
      EXPECT_NE(a.header("Content-Type").value_or("").find("text/css"), std::string::npos)
          << asset << ": " << a.header("Content-Type").value_or("<none>");
    }
  }
  EXPECT_GE(scripts, 1u) << "the page loads no script: " << r.body.substr(0, 500);
  EXPECT_NE(page_and_scripts.find("/openapi.json"), std::string::npos)
      << "neither the page nor its scripts point Swagger UI at /openapi.json";
}

}  // namespace
}  // namespace latchkey::test
