// LibTorch's intra-op thread count. Debian's build defaults to 1, so we always set it explicitly.
#pragma once

namespace rd {

int usable_cores();            // CPUs this process may run on (affinity-aware).
void set_threads(int threads);  // <= 0 means usable_cores().
int threads();
// OpenMP keeps the count per thread, and LibTorch copies the process-wide one into a thread only on its first
// parallel call: a thread that already ran (the addon's compute thread) calls this to take up a later set_threads.
void adopt_threads();

}  // namespace rd
