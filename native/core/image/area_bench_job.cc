// "image.areaBench": times area_reduce on an RGB uint8 image (random, or raw bytes from a file so the
// benchmark can compare values with Pillow's reduce on the very same pixels).
#include <chrono>
#include <fstream>
#include <random>

#include "image/resample.h"
#include "job/job.h"
#include "job/spec.h"
#include "util/threads.h"

namespace rd::image {
namespace {

Image load_raw(const std::string& path, int size) {
  Image img(size, size, 3);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(img.data.data()), std::streamsize(img.data.size())))
    throw Error(code::kIo, "cannot read " + std::to_string(img.data.size()) + " bytes of raw RGB from '" + path + "'");
  return img;
}

// spec: { size = 4096, factor = 4, reps = 5, threads = 1, input?: raw RGB path, compare?: raw RGB path of the
// expected output } -> { mpixPerS (median), seconds: [...], maxAbsDiff?, meanAbsDiff? }
Json area_bench(const Json& spec, JobContext& ctx) {
  const int size = spec::get<int>(spec, "size", 4096), factor = spec::get<int>(spec, "factor", 4);
  const int reps = spec::get<int>(spec, "reps", 5);
  spec::check(size > 0 && size <= 32768, "size", "must be in 1..32768");
  spec::check(factor >= 1 && factor <= size, "factor", "must be in 1..size");
  spec::check(reps > 0, "reps", "must be positive");
  set_threads(spec::get<int>(spec, "threads", 1));
  Image src;
  if (spec.contains("input")) {
    src = load_raw(spec["input"].get<std::string>(), size);
  } else {
    src = Image(size, size, 3);
    std::mt19937 rng(0);
    for (auto& v : src.data) v = uint8_t(rng());
  }
  Image out = area_reduce(src, factor);  // warm-up
  std::vector<double> secs;
  for (int r = 0; r < reps; ++r) {
    ctx.check_cancelled();
    auto t0 = std::chrono::steady_clock::now();
    out = area_reduce(src, factor);
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::vector<double> sorted = secs;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  Json result = {{"size", size},
                 {"factor", factor},
                 {"threads", threads()},
                 {"seconds", secs},
                 {"mpixPerS", double(size) * size / 1e6 / median},
                 {"bestMpixPerS", double(size) * size / 1e6 / sorted[0]}};
  if (spec.contains("compare")) {
    Image expected = load_raw(spec["compare"].get<std::string>(), size / factor);
    int max_diff = 0;
    double total = 0;
    for (size_t i = 0; i < out.data.size(); ++i) {
      int d = std::abs(int(out.data[i]) - int(expected.data[i]));
      max_diff = std::max(max_diff, d);
      total += d;
    }
    result["maxAbsDiff"] = max_diff;
    result["meanAbsDiff"] = total / double(out.data.size());
  }
  return result;
}

const JobRegistrar kRegistrar("image.areaBench", "time area (box) downsampling of an RGB image (benchmark)", area_bench);

}  // namespace
}  // namespace rd::image
