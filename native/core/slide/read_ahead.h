// Tiles read on reader threads a few batches ahead of their consumer, handed over in order on the calling
// thread: a model runs on one batch while the next `depth` are read; memory is depth + 1 batches, not the slide.
#pragma once
#include <functional>
#include <vector>

#include "job/job.h"
#include "slide/region.h"

namespace rd::slide {

struct ReadAheadOptions {
  double mpp = 1.0;   // every tile is read at this mpp (read_region_at_mpp)
  size_t batch = 64;  // tiles per batch
  int readers = 0;    // reader threads (<= 0: usable cores)
  size_t depth = 3;   // batches read ahead of the one being consumed
};

struct ReadAheadTimes {
  double read_thread_seconds = 0;  // summed over reader threads (busy reading, not waiting)
  double wait_seconds = 0;         // the consumer waiting for a batch to be complete
};

// consume(first, tiles): tiles [first, first + tiles.size()) in order, on the calling thread. An error in a
// reader or in consume stops the readers and is rethrown; a cancelled job throws CANCELLED.
using BatchConsumer = std::function<void(size_t first, std::vector<Region>& tiles)>;
ReadAheadTimes read_ahead(const Slide& slide, const std::vector<Rect>& rects, const ReadAheadOptions& o, JobContext& ctx,
                          const BatchConsumer& consume);

}  // namespace rd::slide
