// The tissue pipeline; saturation separates stained tissue from white glass and grey background.
#include "image/tissue.h"

#include <algorithm>
#include <stdexcept>

#include "image/morphology.h"

namespace rd::image {

double TissueMask::coverage() const {
  if (mask.data.empty()) return 0;
  long long n = 0;
  for (uint8_t v : mask.data) n += v;
  return double(n) / double(mask.data.size());
}

int otsu_threshold(const std::vector<long long>& hist) {
  long long total = 0;
  double sum = 0;
  for (int i = 0; i < 256; ++i) {
    total += hist[i];
    sum += double(i) * hist[i];
  }
  double sum_b = 0, best = -1;
  long long w_b = 0;
  int t_best = 0;
  for (int t = 0; t < 256; ++t) {
    w_b += hist[t];
    if (w_b == 0) continue;
    long long w_f = total - w_b;
    if (w_f == 0) break;
    sum_b += double(t) * hist[t];
    double m_b = sum_b / w_b, m_f = (sum - sum_b) / w_f;
    double between = double(w_b) * double(w_f) * (m_b - m_f) * (m_b - m_f);
    if (between > best) {
      best = between;
      t_best = t;
    }
  }
  return t_best;  // pixels > t are foreground
}

TissueMask detect_tissue(const Image& rgb, const TissueOptions& o) {
  if (rgb.channels != 3 || rgb.empty()) throw std::invalid_argument("detect_tissue: needs a non-empty RGB image");
  const size_t n = size_t(rgb.width) * rgb.height;
  std::vector<uint8_t> sat(n);
  std::vector<long long> hist(256, 0);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = rgb.data.data() + 3 * i;
    int mx = std::max({p[0], p[1], p[2]}), mn = std::min({p[0], p[1], p[2]});
    sat[i] = uint8_t(mx == 0 ? 0 : (255 * (mx - mn) + mx / 2) / mx);
    ++hist[sat[i]];
  }
  TissueMask out;
  out.otsu = o.threshold < 0;
  out.threshold = out.otsu ? std::max(otsu_threshold(hist), o.min_threshold) : o.threshold;
  Mask m(rgb.width, rgb.height, 1);
  for (size_t i = 0; i < n; ++i) m.data[i] = sat[i] > out.threshold ? 1 : 0;
  m = open(close(m, o.close_radius), o.open_radius);
  if (o.fill_holes) m = fill_holes(m);

  std::vector<int32_t> labels;
  auto comps = components(m, labels);
  std::vector<uint8_t> keep(comps.size() + 1, 0);
  for (const auto& c : comps) keep[c.label] = c.area >= o.min_area;
  for (size_t i = 0; i < n; ++i) m.data[i] = keep[labels[i]];
  std::sort(comps.begin(), comps.end(), [](const Component& a, const Component& b) { return a.area > b.area; });
  for (const auto& c : comps) {
    if (!keep[c.label]) continue;
    TissuePiece p{c.x, c.y, c.w, c.h, c.area, Mask(c.w, c.h, 1)};
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x) p.mask.data[size_t(y) * c.w + x] = labels[size_t(c.y + y) * rgb.width + c.x + x] == c.label;
    out.pieces.push_back(std::move(p));
  }
  out.mask = std::move(m);
  return out;
}

}  // namespace rd::image
