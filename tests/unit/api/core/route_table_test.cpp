#include "api/core/route_table.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace latchkey::api {
namespace {

TEST(Router, MatchesLiteralAndParamSegments) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
    const char* param;
  };
  const Case cases[] = {
      {"/", "/", true, ""},
      {"/data", "/data", true, ""},
      {"/data", "/data/", false, ""},
      {"/data", "/datas", false, ""},
      {"/data/{id}", "/data/abc", true, "abc"},
      {"/data/{id}", "/data/", false, ""},
      {"/data/{id}", "/data/a/b", false, ""},
      {"/data/{id}", "/data", false, ""},
      {"/auth/me", "/auth/me/x", false, ""},
      {"/", "/x", false, ""},
      {"/docs/{*file}", "/docs/a.css", true, "a.css"},
      {"/docs/{*file}", "/docs/a/b.css", true, "a/b.css"},
      {"/docs/{*file}", "/docs/", false, ""},
      {"/docs/{*file}", "/docs", false, ""},
      {"/docs/{*file}", "/docs/a//b", false, ""},
      {"/docs/{*file}", "/docs/a/", false, ""},
  };
  for (const auto& c : cases) {
    std::string param;
    EXPECT_EQ(match_path(c.pattern, c.path, param), c.match) << c.pattern << " " << c.path;
    if (c.match) {
      EXPECT_EQ(param, c.param);
    }
  }
}

Outcome ok(Call&) { return http::Response{}; }

ErrorRenderer no_body() {
  return {[](const Error&) { return http::Response{}; },
          [](int status, std::string_view) {
            http::Response r;
            r.status = status;
            return r;
          }};
}

RouteTable two_surfaces() {
  RouteTable t;
  const auto root = t.add_surface(Surface{"root", "/", no_body(), {}});
  const auto v1 = t.add_surface(Surface{"v1", "/auth/v1", no_body(), {}});
  t.add(root, Route{http::Method::get, "/data", Access::user, ok});
  t.add(root, Route{http::Method::post, "/data", Access::user, ok});
  t.add(v1, Route{http::Method::get, "/auth/v1/user", Access::user, ok});
  return t;
}

TEST(RouteTable, MatchNamesTheRouteAndItsSurface) {
  const auto t = two_surfaces();
  auto m = t.match(http::Method::get, "/auth/v1/user");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.surface->name, "v1");
  m = t.match(http::Method::post, "/data");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, http::Method::post);
  EXPECT_EQ(m.surface->name, "root");
}

TEST(RouteTable, OtherMethodsOnAKnownPathAreListedForAllow) {
  const auto m = two_surfaces().match(http::Method::del, "/data");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, "GET, POST");
}

TEST(RouteTable, UnknownPathsBelongToTheLongestPrefix) {
  const auto t = two_surfaces();
  EXPECT_EQ(t.match(http::Method::get, "/auth/v1/nothing").surface->name, "v1");
  EXPECT_EQ(t.match(http::Method::get, "/auth/v1").surface->name, "v1");
  EXPECT_EQ(t.match(http::Method::get, "/auth/v10").surface->name, "root") << "segment-wise";
  EXPECT_EQ(t.match(http::Method::get, "/elsewhere").surface->name, "root");
}

TEST(RouteTable, WiringMistakesFailAtStartUp) {
  auto t = two_surfaces();
  const RouteTable::SurfaceId root{0};
  EXPECT_THROW(t.add(root, Route{http::Method::get, "/data", Access::anonymous, ok}),
               std::logic_error)
      << "same method and pattern twice";
  EXPECT_THROW(t.add(root, Route{http::Method::get, "/x/{*rest}/y", Access::anonymous, ok}),
               std::logic_error)
      << "a rest capture must be last";
  EXPECT_THROW(t.add(root, Route{http::Method::get, "x", Access::anonymous, ok}), std::logic_error);
  EXPECT_THROW(t.add(root, Route{http::Method::get, "/x", Access::anonymous, nullptr}),
               std::logic_error);
  // Access levels nothing enforces yet cannot be declared.
  EXPECT_NO_THROW(t.add(root, Route{http::Method::get, "/admin", Access::service_role, ok}));
  EXPECT_THROW(t.add(root, Route{http::Method::get, "/mfa", Access::aal2, ok}), std::logic_error);
  EXPECT_THROW(t.add_surface(Surface{"root", "/other", no_body(), {}}), std::logic_error);
}

}  // namespace
}  // namespace latchkey::api
