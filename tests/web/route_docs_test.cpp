// The route table against /openapi.json: every documented route of every surface is in the
// document, and everything the document promises is routed, with the access it states.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "api/core/route_table.hpp"
#include "core/ascii.hpp"
#include "app/surfaces.hpp"
#include "support/services.hpp"
#include "web/assets.hpp"

namespace latchkey {
namespace {

// The server's table, built by the same call `serve` makes.
struct Table {
  Table()
      : deps{{*services.auth, *services.items, *services.accounts, *services.mail,
              [] { return Result<void>{}; }},
             {*services.auth, *services.accounts, *services.mail, "test"},
             {*services.auth, *services.rows}} {
    app::add_surfaces(table, deps);
  }
  testing::Services services;
  app::SurfaceDeps deps;
  api::RouteTable table;
};

TEST(RouteDocs, EveryRouteIsDocumentedAndEveryDocumentedOperationIsRouted) {
  Table t;
  const auto doc = nlohmann::json::parse(web::openapi_json());
  std::set<std::string> documented;
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& [method, op] : item.items())
      if (method != "parameters") documented.insert(method + " " + path);

  std::set<std::string> routed;
  for (const auto& e : t.table.entries()) {
    if (!e.route.documented) continue;
    const std::string key = core::ascii_lower(api::method_name(e.route.method)) + " " + e.route.pattern;
    routed.insert(key);
    EXPECT_EQ(documented.count(key), 1u) << "routed but not in /openapi.json: " << key;
  }
  for (const auto& key : documented)
    EXPECT_EQ(routed.count(key), 1u) << "in /openapi.json but not routed: " << key;
}

TEST(RouteDocs, DocumentedSecurityMatchesTheRouteAccess) {
  Table t;
  const auto doc = nlohmann::json::parse(web::openapi_json());
  for (const auto& e : t.table.entries()) {
    if (!e.route.documented) continue;
    const auto& op = doc.at("paths").at(e.route.pattern).at(core::ascii_lower(api::method_name(e.route.method)));
    const bool needs_token = op.contains("security") && !op.at("security").empty();
    EXPECT_EQ(needs_token, e.route.access == api::Access::user)
        << api::method_name(e.route.method) << " " << e.route.pattern;
  }
}

TEST(RouteDocs, EverySurfaceOwnsAtLeastOneRoute) {
  Table t;
  std::set<size_t> used;
  for (const auto& e : t.table.entries()) used.insert(e.surface.index);
  EXPECT_EQ(used.size(), t.table.surfaces().size());
}

}  // namespace
}  // namespace latchkey
