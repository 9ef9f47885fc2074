// LibTorch's intra-op thread count. Debian's build defaults to 1, so we always set it explicitly.
#pragma once

namespace rd {

int usable_cores();            // CPUs this process may run on (affinity-aware).
void set_threads(int threads);  // <= 0 means usable_cores().
int threads();

}  // namespace rd
