#include "slide/read_ahead.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "util/error.h"
#include "util/threads.h"

namespace rd::slide {
namespace {
using Clock = std::chrono::steady_clock;
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

ReadAheadTimes read_ahead(const Slide& slide, const std::vector<Rect>& rects, const ReadAheadOptions& o, JobContext& ctx,
                          const BatchConsumer& consume) {
  const size_t n = rects.size(), batch = std::max<size_t>(1, o.batch), depth = std::max<size_t>(2, o.depth);
  const size_t batches = (n + batch - 1) / batch;
  auto size_of = [&](size_t b) { return std::min(batch, n - b * batch); };
  struct Slot {
    std::vector<Region> tiles;
    size_t filled = 0;
  };
  std::vector<Slot> slots(depth);
  std::mutex m;
  std::condition_variable ready, space;
  size_t next = 0, consumed = 0;  // next tile to read; batches handed to consume
  bool stop = false;
  std::exception_ptr error;
  std::atomic<int64_t> busy_ns{0};
  auto fail = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(m);
    if (!error) error = e;
    stop = true;
    ready.notify_all();
    space.notify_all();
  };

  auto reader = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock<std::mutex> lock(m);
        if (stop || next >= n) return;
        i = next++;
        space.wait(lock, [&] { return stop || i / batch < consumed + depth; });
        if (stop) return;
      }
      try {
        if (ctx.cancelled()) throw Error(code::kCancelled, "job cancelled");
        const auto t0 = Clock::now();
        Region tile = read_region_at_mpp(slide, rects[i], o.mpp);
        busy_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        std::lock_guard<std::mutex> lock(m);
        Slot& s = slots[(i / batch) % depth];
        if (s.tiles.empty()) s.tiles.resize(size_of(i / batch));
        s.tiles[i % batch] = std::move(tile);
        if (++s.filled == s.tiles.size()) ready.notify_all();
      } catch (...) {
        fail(std::current_exception());
        return;
      }
    }
  };
  const int want = o.readers > 0 ? o.readers : usable_cores();
  std::vector<std::thread> pool;
  ReadAheadTimes times;
  try {
    for (size_t r = 0; r < std::min<size_t>(n, size_t(std::max(1, want))); ++r) pool.emplace_back(reader);
    for (size_t b = 0; b < batches; ++b) {
      std::vector<Region> tiles;
      {
        const auto w0 = Clock::now();
        std::unique_lock<std::mutex> lock(m);
        Slot& s = slots[b % depth];
        while (!stop && !(s.filled == size_of(b) && s.tiles.size() == size_of(b))) {
          ready.wait_for(lock, std::chrono::milliseconds(100));
          if (ctx.cancelled()) throw Error(code::kCancelled, "job cancelled");
        }
        times.wait_seconds += seconds(Clock::now() - w0);
        if (stop) break;
        tiles = std::move(s.tiles);
        s.tiles.clear();
        s.filled = 0;
        consumed = b + 1;
      }
      space.notify_all();
      consume(b * batch, tiles);
    }
  } catch (...) {
    fail(std::current_exception());
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  times.read_thread_seconds = double(busy_ns.load()) * 1e-9;
  return times;
}

}  // namespace rd::slide
