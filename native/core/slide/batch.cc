// Plain std::threads with an atomic work index: LibTorch's pool would share threads with the resample
// kernels, and tile reads mostly wait on JPEG decoding inside OpenSlide.
#include "slide/batch.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
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
  std::mutex finish_mutex;
  std::condition_variable finished;
  int running = workers;
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&, w] {
      work(w);
      std::lock_guard<std::mutex> lock(finish_mutex);
      if (--running == 0) finished.notify_all();
    });
  // The calling thread only reports progress (about 10 per second), so events stay ordered and come from one thread.
  size_t reported = 0;
  for (std::unique_lock<std::mutex> lock(finish_mutex); running > 0;) {
    if (finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return running == 0; })) break;
    if (size_t d = done.load(); d != reported) {
      ctx.emit({{"type", "progress"}, {"done", d}, {"total", n}});
      reported = d;
    }
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  ctx.check_cancelled();
  ctx.emit({{"type", "progress"}, {"done", done.load()}, {"total", n}});
}

void read_batch(const Slide& slide, const std::vector<Rect>& rects, const std::vector<double>& mpps, int threads, JobContext& ctx,
                const RegionSink& sink) {
  parallel_items(rects.size(), threads, ctx, [&](size_t i, int) { sink(i, read_multi(slide, rects[i], mpps)); });
}

}  // namespace rd::slide
