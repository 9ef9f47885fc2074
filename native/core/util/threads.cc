#include "util/threads.h"

#include <ATen/Parallel.h>
#include <sched.h>

#include <thread>

namespace rd {

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

void set_threads(int n) { at::set_num_threads(n > 0 ? n : usable_cores()); }

int threads() { return at::get_num_threads(); }

}  // namespace rd
