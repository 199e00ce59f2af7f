#pragma once
// Invariant checks inside fuzz targets: a violated invariant is a finding, so it must stop the
// run the way a sanitizer report does (abort -> libFuzzer saves the crashing input).
#include <cstdio>
#include <cstdlib>

#define LATCHKEY_FUZZ_CHECK(cond)                                                         \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)
