// Area (box) downsampling: exact fractional coverage in the general case, an integer-sum fast path
// for whole factors on a pixel-aligned grid (the common 2x/4x/8x pyramid step).
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "image/resample.h"

namespace rd::image {
namespace {

struct Tap {
  int first = 0;               // first source index
  std::vector<float> weights;  // consecutive source weights, summing to 1
};

// Per-axis coverage table: output i covers [x0 + i*scale, x0 + (i+1)*scale) of the source axis.
std::vector<Tap> coverage(double x0, double span, int out, int src_len) {
  std::vector<Tap> taps(out);
  const double scale = span / out;
  for (int i = 0; i < out; ++i) {
    double a = x0 + i * scale, b = a + scale;
    int first = std::max(0, int(std::floor(a))), last = std::min(src_len - 1, int(std::ceil(b)) - 1);
    if (last < first) last = first = std::clamp(int(std::floor(a)), 0, src_len - 1);
    Tap& t = taps[i];
    t.first = first;
    double total = 0;
    for (int s = first; s <= last; ++s) {
      double w = std::min(b, double(s + 1)) - std::max(a, double(s));
      t.weights.push_back(float(std::max(w, 0.0)));
      total += std::max(w, 0.0);
    }
    if (total <= 0) {
      t.weights.assign(1, 1.f);
      total = 1;
    }
    for (float& w : t.weights) w = float(w / total);
  }
  return taps;
}

bool is_whole(double v) { return std::fabs(v - std::round(v)) < 1e-9; }

// Fast path: sum f rows into a uint32 row, then f columns, multiply by 1/(f*f) and round half up.
void reduce_rows(const Image& src, Image& out, int f, int x0, int y0, int64_t begin, int64_t end) {
  const int c = src.channels, ow = out.width;
  std::vector<uint32_t> acc(size_t(ow) * f * c);
  const float inv = 1.f / float(f * f);
  for (int64_t oy = begin; oy < end; ++oy) {
    std::fill(acc.begin(), acc.end(), 0u);
    for (int k = 0; k < f; ++k) {
      const uint8_t* s = src.row(y0 + int(oy) * f + k) + size_t(x0) * c;
      for (size_t i = 0; i < acc.size(); ++i) acc[i] += s[i];
    }
    uint8_t* o = out.row(int(oy));
    for (int ox = 0; ox < ow; ++ox) {
      const uint32_t* a = acc.data() + size_t(ox) * f * c;
      for (int ch = 0; ch < c; ++ch) {
        uint32_t sum = 0;
        for (int k = 0; k < f; ++k) sum += a[k * c + ch];
        o[ox * c + ch] = uint8_t(float(sum) * inv + 0.5f);
      }
    }
  }
}

// Specialised f = 2 and f = 4 with three channels. Both passes are contiguous loops the compiler vectorises:
// vertical sums into `acc`, then sliding stride-3 sums S[i] = acc[i] + acc[i+3] + ... rounded as Pillow does
// ((S + F*F/2) / (F*F), a shift), and finally a pick of every (3F)-th triple.
template <int F>
void reduce_rows_rgb(const Image& src, Image& out, int x0, int y0, int64_t begin, int64_t end) {
  const int ow = out.width;
  const size_t n = size_t(ow) * F * 3, m = n - 3 * (F - 1);
  std::vector<uint16_t> acc(n);
  std::vector<uint8_t> t(m);
  for (int64_t oy = begin; oy < end; ++oy) {
    const uint8_t* s0 = src.row(y0 + int(oy) * F) + size_t(x0) * 3;
    for (size_t i = 0; i < n; ++i) acc[i] = s0[i];
    for (int k = 1; k < F; ++k) {
      const uint8_t* s = src.row(y0 + int(oy) * F + k) + size_t(x0) * 3;
      for (size_t i = 0; i < n; ++i) acc[i] = uint16_t(acc[i] + s[i]);
    }
    const uint16_t* a = acc.data();
    for (size_t i = 0; i < m; ++i) {
      uint32_t sum = a[i];
      for (int k = 1; k < F; ++k) sum += a[i + 3 * k];
      t[i] = uint8_t((sum + F * F / 2) / (F * F));
    }
    uint8_t* o = out.row(int(oy));
    for (int ox = 0; ox < ow; ++ox) {
      const uint8_t* p = t.data() + size_t(ox) * 3 * F;
      o[3 * ox] = p[0];
      o[3 * ox + 1] = p[1];
      o[3 * ox + 2] = p[2];
    }
  }
}

Image integer_reduce(const Image& src, int f, int x0, int y0, int ow, int oh) {
  Image out(ow, oh, src.channels);
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max(1, ow));
  at::parallel_for(0, oh, grain, [&](int64_t b, int64_t e) {
    if (src.channels == 3 && f == 2)
      reduce_rows_rgb<2>(src, out, x0, y0, b, e);
    else if (src.channels == 3 && f == 4)
      reduce_rows_rgb<4>(src, out, x0, y0, b, e);
    else
      reduce_rows(src, out, f, x0, y0, b, e);
  });
  return out;
}

}  // namespace

Image area_reduce(const Image& src, int factor) {
  if (factor < 1) throw std::invalid_argument("area_reduce: factor must be >= 1");
  return integer_reduce(src, factor, 0, 0, src.width / factor, src.height / factor);
}

Image area_resample(const Image& src, const SourceBox& box, int out_w, int out_h) {
  if (out_w < 1 || out_h < 1 || src.empty()) throw std::invalid_argument("area_resample: empty input or output");
  const double fx = box.w / out_w, fy = box.h / out_h;
  if (is_whole(fx) && is_whole(fy) && std::lround(fx) == std::lround(fy) && is_whole(box.x) && is_whole(box.y) && box.x >= 0 &&
      box.y >= 0 && box.x + box.w <= src.width + 1e-9 && box.y + box.h <= src.height + 1e-9) {
    return integer_reduce(src, int(std::lround(fx)), int(std::lround(box.x)), int(std::lround(box.y)), out_w, out_h);
  }
  const auto tx = coverage(box.x, box.w, out_w, src.width);
  const auto ty = coverage(box.y, box.h, out_h, src.height);
  const int c = src.channels;
  Image out(out_w, out_h, c);
  at::parallel_for(0, out_h, 1, [&](int64_t b, int64_t e) {
    std::vector<float> row(src.stride());
    for (int64_t oy = b; oy < e; ++oy) {
      // Vertical pass into a float row, then horizontal taps per output pixel.
      std::fill(row.begin(), row.end(), 0.f);
      const Tap& t = ty[oy];
      for (size_t k = 0; k < t.weights.size(); ++k) {
        const uint8_t* s = src.row(t.first + int(k));
        const float w = t.weights[k];
        for (size_t i = 0; i < row.size(); ++i) row[i] += w * s[i];
      }
      uint8_t* o = out.row(int(oy));
      for (int ox = 0; ox < out_w; ++ox) {
        const Tap& h = tx[ox];
        for (int ch = 0; ch < c; ++ch) {
          float v = 0;
          for (size_t k = 0; k < h.weights.size(); ++k) v += h.weights[k] * row[size_t(h.first + int(k)) * c + ch];
          o[ox * c + ch] = uint8_t(std::clamp(v + 0.5f, 0.f, 255.f));
        }
      }
    }
  });
  return out;
}

}  // namespace rd::image
