// A small pool of worker threads for many independent slide reads (OpenSlide handles are thread-safe).
// The calling thread emits ordered progress events and the workers poll cancellation per item.
#pragma once
#include <cstddef>
#include <functional>

#include "job/job.h"
#include "slide/region.h"

namespace rd::slide {

// Runs fn(i, worker) for i in [0, n) on `threads` workers (<= 0: usable cores). Rethrows the first error;
// throws CANCELLED when the job is cancelled. Emits {type:"progress", done, total} about 10 times a second.
void parallel_items(size_t n, int threads, JobContext& ctx, const std::function<void(size_t, int)>& fn);

// Reads every rectangle at every mpp (one read per rectangle, read_multi) on `threads` workers and hands each
// result to `sink` as soon as it is ready. The sink runs on worker threads, in any order: make it thread-safe.
// Progress, cancellation and errors as parallel_items. The store writer calls this with its shard sink.
using RegionSink = std::function<void(size_t index, std::vector<Region>&& views)>;
void read_batch(const Slide& slide, const std::vector<Rect>& rects, const std::vector<double>& mpps, int threads, JobContext& ctx,
                const RegionSink& sink);

}  // namespace rd::slide
