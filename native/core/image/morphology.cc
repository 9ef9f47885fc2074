// Separable square morphology and flood fills; thumbnails are small, so plain loops are enough.
#include "image/morphology.h"

#include <algorithm>
#include <deque>

namespace rd::image {
namespace {

// One 1-D pass of a max (dilate) or min (erode) filter; out-of-image pixels are neutral.
Mask pass(const Mask& m, int r, bool horizontal, bool is_max) {
  Mask out(m.width, m.height, 1);
  const int w = m.width, h = m.height;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t v = is_max ? 0 : 1;
      for (int k = -r; k <= r; ++k) {
        int xx = horizontal ? x + k : x, yy = horizontal ? y : y + k;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        uint8_t p = m.data[size_t(yy) * w + xx];
        v = is_max ? std::max(v, p) : std::min(v, p);
      }
      out.data[size_t(y) * w + x] = v;
    }
  }
  return out;
}

}  // namespace

Mask dilate(const Mask& m, int r) { return r <= 0 ? m : pass(pass(m, r, true, true), r, false, true); }
Mask erode(const Mask& m, int r) { return r <= 0 ? m : pass(pass(m, r, true, false), r, false, false); }

Mask fill_holes(const Mask& m) {
  const int w = m.width, h = m.height;
  std::vector<uint8_t> outside(size_t(w) * h, 0);
  std::deque<int> queue;
  auto seed = [&](int x, int y) {
    size_t i = size_t(y) * w + x;
    if (!m.data[i] && !outside[i]) {
      outside[i] = 1;
      queue.push_back(int(i));
    }
  };
  for (int x = 0; x < w; ++x) {
    seed(x, 0);
    seed(x, h - 1);
  }
  for (int y = 0; y < h; ++y) {
    seed(0, y);
    seed(w - 1, y);
  }
  while (!queue.empty()) {
    int i = queue.front();
    queue.pop_front();
    int x = i % w, y = i / w;
    if (x > 0) seed(x - 1, y);
    if (x + 1 < w) seed(x + 1, y);
    if (y > 0) seed(x, y - 1);
    if (y + 1 < h) seed(x, y + 1);
  }
  Mask out(w, h, 1);
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = outside[i] ? 0 : 1;
  return out;
}

std::vector<Component> components(const Mask& m, std::vector<int32_t>& labels) {
  const int w = m.width, h = m.height;
  labels.assign(size_t(w) * h, 0);
  std::vector<Component> out;
  std::vector<int> stack;
  for (int start = 0; start < w * h; ++start) {
    if (!m.data[start] || labels[start]) continue;
    Component c;
    c.label = int(out.size()) + 1;
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    labels[start] = c.label;
    stack.assign(1, start);
    while (!stack.empty()) {
      int i = stack.back();
      stack.pop_back();
      int x = i % w, y = i / w;
      ++c.area;
      x0 = std::min(x0, x);
      y0 = std::min(y0, y);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          int xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          int j = yy * w + xx;
          if (m.data[j] && !labels[j]) {
            labels[j] = c.label;
            stack.push_back(j);
          }
        }
      }
    }
    c.x = x0;
    c.y = y0;
    c.w = x1 - x0 + 1;
    c.h = y1 - y0 + 1;
    out.push_back(c);
  }
  return out;
}

}  // namespace rd::image
