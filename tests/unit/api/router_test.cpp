#include "api/router.hpp"

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
  };
  for (const auto& c : cases) {
    std::string param;
    EXPECT_EQ(match_path(c.pattern, c.path, param), c.match) << c.pattern << " " << c.path;
    if (c.match) {
      EXPECT_EQ(param, c.param);
    }
  }
}

}  // namespace
}  // namespace latchkey::api
