#include "util/threads.h"

#include <ATen/Parallel.h>
#include <sched.h>

#include <atomic>
#include <thread>

namespace rd {

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

namespace {
std::atomic<int> g_default_threads{0};  // 0 before set_default_threads
}  // namespace

void set_threads(int n) { at::set_num_threads(n > 0 ? n : usable_cores()); }

void set_default_threads(int n) {
  g_default_threads = n > 0 ? n : usable_cores();
  at::set_num_threads(g_default_threads);
}

void adopt_threads() {
  const int n = g_default_threads;
  if (n > 0 && at::get_num_threads() != n) at::set_num_threads(n);
}

int threads() { return at::get_num_threads(); }

}  // namespace rd
