#pragma once
// Which database backends a suite runs on, declared next to the suite:
//   LATCHKEY_SUITE_BACKENDS(AuthTest, both);
// Suites that declare nothing run on SQLite only (they are about files, data directories or
// the process). The http_tests main turns the declarations into the gtest filter for the
// backend of this run (LATCHKEY_TEST_BACKEND), so no list of suites is kept by hand.
#include <string>

namespace latchkey::testing {

enum class Backends { sqlite, both, postgres };

bool declare_suite_backends(const char* suite, Backends backends);
// The gtest filter for `postgres` (true) or SQLite (false) runs.
std::string backend_filter(bool postgres);

}  // namespace latchkey::testing

#define LATCHKEY_SUITE_BACKENDS(suite, backends)                                           \
  [[maybe_unused]] static const bool latchkey_backends_##suite =                           \
      ::latchkey::testing::declare_suite_backends(#suite, ::latchkey::testing::Backends::backends)
