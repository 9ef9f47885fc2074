// Plain std::threads with an atomic work index: LibTorch's pool would share threads with the resample
// kernels, and tile reads mostly wait on JPEG decoding inside OpenSlide.
#include "slide/batch.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "util/error.h"
#include "util/threads.h"

namespace rd::slide {

void parallel_items(size_t n, int threads, JobContext& ctx, const std::function<void(size_t, int)>& fn) {
  const int workers = int(std::max<size_t>(1, std::min<size_t>(n, size_t(threads > 0 ? threads : usable_cores()))));
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int w) {
    for (size_t i; !stop && (i = next.fetch_add(1)) < n;) {
      try {
        if (ctx.cancelled()) throw Error(code::kCancelled, "cancelled");
        fn(i, w);
        done.fetch_add(1);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        stop = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 0; workers > 1 && w < workers; ++w) pool.emplace_back(work, w);
  if (workers == 1) {
    work(0);
  } else {
    // The calling thread reports progress so events stay ordered and come from one thread.
    size_t reported = 0;
    while (done.load() < n && !stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (size_t d = done.load(); d != reported) { ctx.emit({{"type", "progress"}, {"done", d}, {"total", n}}); reported = d; }
    }
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  ctx.check_cancelled();
  ctx.emit({{"type", "progress"}, {"done", done.load()}, {"total", n}});
}

void read_batch(const Slide& slide, const std::vector<Rect>& rects, const std::vector<double>& mpps, int threads,
                JobContext& ctx, const RegionSink& sink) {
  parallel_items(rects.size(), threads, ctx, [&](size_t i, int) { sink(i, read_multi(slide, rects[i], mpps)); });
}

}  // namespace rd::slide
