#include "util/allocator.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
extern char** environ;
#endif

namespace rd {
namespace {

#if defined(__GLIBC__)
bool user_tuned_malloc() {
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "MALLOC_", 7) == 0 || std::strncmp(*e, "GLIBC_TUNABLES=", 15) == 0) return true;
  return false;
}
#endif

bool tune() {
#if defined(__GLIBC__)
  if (user_tuned_malloc()) return false;
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit (half its arena heap size).
  return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
#else
  return false;
#endif
}

}  // namespace

bool keep_freed_memory() {
  static const bool tuned = tune();
  return tuned;
}

void release_freed_memory() {
#if defined(__GLIBC__)
  if (keep_freed_memory()) malloc_trim(0);
#endif
}

}  // namespace rd
