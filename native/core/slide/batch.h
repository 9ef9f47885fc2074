// A small pool of worker threads for many independent slide reads (OpenSlide handles are thread-safe).
// The calling thread emits ordered progress events and the workers poll cancellation per item.
#pragma once
#include <cstddef>
#include <functional>

#include "job/job.h"

namespace rd::slide {

// Runs fn(i, worker) for i in [0, n) on `threads` workers (<= 0: usable cores). Rethrows the first error;
// throws CANCELLED when the job is cancelled. Emits {type:"progress", done, total} about 10 times a second.
void parallel_items(size_t n, int threads, JobContext& ctx, const std::function<void(size_t, int)>& fn);

}  // namespace rd::slide
