// LibTorch's intra-op thread count. Debian's build defaults to 1, so we always set it explicitly.
#pragma once

namespace rd {

int usable_cores();             // CPUs this process may run on (affinity-aware).
void set_threads(int threads);  // <= 0 means usable_cores(). For the calling job only: the next job adopts the default.
int threads();
// The count every job starts with (the addon's setThreads, RESDISTILL_THREADS); <= 0 means usable_cores().
void set_default_threads(int threads);
// OpenMP keeps the count per thread, and LibTorch copies its global one into a thread only on its first parallel
// call: the addon's long-lived compute thread calls this before each job to take up the default.
void adopt_threads();

}  // namespace rd
