// Bilinear resampling (upsampling, and the kernel dispatch). Pixel centres map as (i + 0.5) * scale - 0.5.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "image/resample.h"

namespace rd::image {

Image bilinear_resample(const Image& src, const SourceBox& box, int out_w, int out_h) {
  if (out_w < 1 || out_h < 1 || src.empty()) throw std::invalid_argument("bilinear_resample: empty input or output");
  const int c = src.channels;
  const double sx = box.w / out_w, sy = box.h / out_h;
  std::vector<int> x0(out_w), x1(out_w);
  std::vector<float> wx(out_w);
  for (int i = 0; i < out_w; ++i) {
    double p = std::clamp(box.x + (i + 0.5) * sx - 0.5, 0.0, double(src.width - 1));
    x0[i] = int(std::floor(p));
    x1[i] = std::min(x0[i] + 1, src.width - 1);
    wx[i] = float(p - x0[i]);
  }
  Image out(out_w, out_h, c);
  at::parallel_for(0, out_h, 1, [&](int64_t b, int64_t e) {
    for (int64_t oy = b; oy < e; ++oy) {
      double p = std::clamp(box.y + (oy + 0.5) * sy - 0.5, 0.0, double(src.height - 1));
      int y0 = int(std::floor(p)), y1 = std::min(y0 + 1, src.height - 1);
      float wy = float(p - y0);
      const uint8_t *r0 = src.row(y0), *r1 = src.row(y1);
      uint8_t* o = out.row(int(oy));
      for (int i = 0; i < out_w; ++i) {
        for (int ch = 0; ch < c; ++ch) {
          float top = r0[x0[i] * c + ch] + wx[i] * (r0[x1[i] * c + ch] - r0[x0[i] * c + ch]);
          float bot = r1[x0[i] * c + ch] + wx[i] * (r1[x1[i] * c + ch] - r1[x0[i] * c + ch]);
          o[i * c + ch] = uint8_t(std::clamp(top + wy * (bot - top) + 0.5f, 0.f, 255.f));
        }
      }
    }
  });
  return out;
}

Image resample(const Image& src, const SourceBox& box, int out_w, int out_h, const char** kernel) {
  const bool down = out_w <= box.w + 1e-9 && out_h <= box.h + 1e-9;
  if (kernel) *kernel = down ? "area" : "bilinear";
  return down ? area_resample(src, box, out_w, out_h) : bilinear_resample(src, box, out_w, out_h);
}

}  // namespace rd::image
