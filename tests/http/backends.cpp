#include "backends.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string_view>

namespace latchkey::testing {
namespace {

std::map<std::string, Backends>& declared() {
  static std::map<std::string, Backends> suites;
  return suites;
}

}  // namespace

bool declare_suite_backends(const char* suite, Backends backends) {
  declared()[suite] = backends;
  return true;
}

std::string backend_filter(bool postgres) {
  std::string list;
  for (const auto& [suite, backends] : declared()) {
    const bool wanted = postgres ? backends != Backends::sqlite : backends == Backends::postgres;
    if (!wanted) continue;
    if (!list.empty()) list += ':';
    list += suite + ".*";
  }
  // PostgreSQL runs take only the declared suites; SQLite runs all but the PostgreSQL-only.
  if (postgres) return list.empty() ? "-*" : list;
  return list.empty() ? "*" : "-" + list;
}

}  // namespace latchkey::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // An explicit --gtest_filter (or GTEST_FILTER) wins: a developer running one test asked for it.
  if (GTEST_FLAG_GET(filter) == "*") {
    const char* backend = std::getenv("LATCHKEY_TEST_BACKEND");
    GTEST_FLAG_SET(filter, latchkey::testing::backend_filter(backend &&
                                                              std::string_view(backend) == "postgres"));
  }
  return RUN_ALL_TESTS();
}
