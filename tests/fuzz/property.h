#pragma once
// The fuzz targets' property check: a broken property aborts with the line, so that the finding
// can be read from the log.

#include <cstdio>
#include <cstdlib>

#define CHECK(condition)                                                             \
  do {                                                                               \
    if (!(condition)) {                                                              \
      std::fprintf(stderr, "property failed: %s (line %d)\n", #condition, __LINE__); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
