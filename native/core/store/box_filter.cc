#include "store/box_filter.h"

#include <vector>

#include "store/parallel.h"
#include "util/error.h"
#include "util/threads.h"

namespace rd::store {

View box_downsample(const uint8_t* in, int64_t h, int64_t w, int64_t c, int f, int threads) {
  if (f < 1 || h % f || w % f) throw Error(code::kInternal, "box_downsample: size not a multiple of the factor");
  View out;
  out.h = h / f, out.w = w / f, out.c = c;
  out.pixels.resize(size_t(out.h * out.w * c));
  if (f == 1) {
    std::copy(in, in + h * w * c, out.pixels.begin());
    return out;
  }
  const uint32_t area = uint32_t(f) * f, half = area / 2;
  const int64_t ow = out.w, rows = out.h;
  const int64_t chunk = 16;
  parallel_for(size_t((rows + chunk - 1) / chunk), threads > 0 ? threads : usable_cores(), [&](size_t job) {
    std::vector<uint32_t> acc(size_t(ow * c));
    for (int64_t oy = int64_t(job) * chunk; oy < std::min(rows, int64_t(job + 1) * chunk); ++oy) {
      std::fill(acc.begin(), acc.end(), 0u);
      for (int dy = 0; dy < f; ++dy) {
        const uint8_t* row = in + (oy * f + dy) * w * c;
        for (int64_t ox = 0; ox < ow; ++ox) {
          uint32_t* a = &acc[size_t(ox * c)];
          const uint8_t* p = row + ox * f * c;
          for (int dx = 0; dx < f; ++dx, p += c) {
            for (int64_t ch = 0; ch < c; ++ch) a[ch] += p[ch];
          }
        }
      }
      uint8_t* dst = out.pixels.data() + oy * ow * c;
      for (size_t k = 0; k < acc.size(); ++k) dst[k] = uint8_t((acc[k] + half) / area);  // round half up
    }
  });
  return out;
}

}  // namespace rd::store
