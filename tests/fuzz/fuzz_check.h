// FUZZ_CHECK: the assertion of the fuzz targets. Unlike assert() it stays on in release builds
// (the fuzz build is RelWithDebInfo, which defines NDEBUG), and it aborts so that libFuzzer and
// the corpus replay both report the failing input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
