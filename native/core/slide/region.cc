// The read-then-resample path. Coordinates stay fractional until the integer level window is chosen,
// so every magnification of a sample covers exactly the same level-0 rectangle.
#include "slide/region.h"

#include <algorithm>
#include <cmath>

#include "image/resample.h"
#include "util/memory_budget.h"

namespace rd::slide {
namespace {

void check_rect(const Slide& s, const Rect& r, double target) {
  if (!(r.w > 0 && r.h > 0) || !std::isfinite(r.x) || !std::isfinite(r.y) || !std::isfinite(r.w) || !std::isfinite(r.h))
    throw Error(code::kConfigInvalid, "region width and height must be positive finite numbers");
  if (!(target > 0) || !std::isfinite(target)) throw Error(code::kConfigInvalid, "target mpp must be a positive number");
  if (r.x >= double(s.width()) || r.y >= double(s.height()) || r.x + r.w <= 0 || r.y + r.h <= 0) {
    throw Error(code::kRegionOutside, "region x=" + std::to_string(r.x) + " y=" + std::to_string(r.y) + " w=" + std::to_string(r.w) +
                                          " h=" + std::to_string(r.h) + " lies wholly outside the slide (" + std::to_string(s.width()) +
                                          " x " + std::to_string(s.height()) + " level-0 px)");
  }
}

// Pyramid levels are floor(size / scale), so a level can stop up to scale-1 level-0 pixels short of the slide.
// Inside the slide but past the level's edge, repeat the level's last column/row instead of background.
void extend_level_edge(const Slide& s, int level, int64_t ix0, int64_t iy0, image::Image& win) {
  const auto& lv = s.levels()[level];
  const int64_t cover_w = int64_t(std::ceil(double(s.width()) / lv.scale)), cover_h = int64_t(std::ceil(double(s.height()) / lv.scale));
  const int valid_w = int(std::clamp<int64_t>(lv.width - ix0, 0, win.width)),
            need_w = int(std::clamp<int64_t>(cover_w - ix0, 0, win.width));
  const int valid_h = int(std::clamp<int64_t>(lv.height - iy0, 0, win.height)),
            need_h = int(std::clamp<int64_t>(cover_h - iy0, 0, win.height));
  if (valid_w > 0 && need_w > valid_w)
    for (int y = 0; y < win.height; ++y)
      for (int x = valid_w; x < need_w; ++x) std::copy_n(win.row(y) + 3 * (valid_w - 1), 3, win.row(y) + 3 * x);
  if (valid_h > 0 && need_h > valid_h)
    for (int y = valid_h; y < need_h; ++y) std::copy_n(win.row(valid_h - 1), win.stride(), win.row(y));
}

}  // namespace

Rect microns_to_level0(const Slide& s, double x, double y, double w, double h) {
  const auto& m = s.mpp();
  return {x / m.x, y / m.y, w / m.x, h / m.y};
}

void output_size(const Slide& s, const Rect& r, double target, int& ow, int& oh) {
  const double w = std::max(1.0, std::round(r.w * s.mpp().x / target)), h = std::max(1.0, std::round(r.h * s.mpp().y / target));
  if (w * h > double(int64_t(1) << 31) || w > 1e6 || h > 1e6)
    throw Error(code::kConfigInvalid, "region at " + std::to_string(target) + " um/px would be " + std::to_string(int64_t(w)) + " x " +
                                          std::to_string(int64_t(h)) + " px; read it in tiles (read_batch / slide.readTiles)");
  ow = int(w);
  oh = int(h);
}

int level_for_mpp(const Slide& s, double target) {
  int best = 0;
  const double tol = 1 + 1e-6;
  for (int l = 0; l < int(s.levels().size()); ++l) {
    const double sc = s.levels()[l].scale;
    if (s.mpp().x * sc <= target * tol && s.mpp().y * sc <= target * tol) best = l;
  }
  return best;
}

std::vector<Region> read_multi(const Slide& s, const Rect& r, const std::vector<double>& targets) {
  if (targets.empty()) throw Error(code::kConfigInvalid, "read_multi needs at least one target mpp");
  for (double t : targets) check_rect(s, r, t);
  for (double t : targets) {
    int ow, oh;
    output_size(s, r, t, ow, oh);  // refuses absurd sizes before any pixels are read
  }
  const double finest = *std::min_element(targets.begin(), targets.end());
  const int level = level_for_mpp(s, finest);
  const double sc = s.levels()[level].scale;
  // The integer window of level pixels that covers the fractional rectangle.
  const double sx = r.x / sc, sy = r.y / sc, sw = r.w / sc, sh = r.h / sc;
  const int64_t ix0 = int64_t(std::floor(sx)), iy0 = int64_t(std::floor(sy));
  const int64_t ix1 = int64_t(std::ceil(sx + sw - 1e-9)), iy1 = int64_t(std::ceil(sy + sh - 1e-9));
  // The level window (OpenSlide's RGBA, then RGB) and every output (in the core, then copied out once).
  const double window_px = double(std::max<int64_t>(1, ix1 - ix0)) * double(std::max<int64_t>(1, iy1 - iy0));
  double bytes = window_px * 7;
  for (double t : targets) bytes += 6 * std::max(1.0, std::round(r.w * s.mpp().x / t)) * std::max(1.0, std::round(r.h * s.mpp().y / t));
  check_memory(bytes, "slide region " + std::to_string(int64_t(std::ceil(r.w))) + " x " + std::to_string(int64_t(std::ceil(r.h))) +
                          " level-0 px (level " + std::to_string(level) + " window " + std::to_string(ix1 - ix0) + " x " +
                          std::to_string(iy1 - iy0) + " px)");
  image::Image window = s.read_level(level, ix0, iy0, std::max<int64_t>(1, ix1 - ix0), std::max<int64_t>(1, iy1 - iy0));
  extend_level_edge(s, level, ix0, iy0, window);
  const image::SourceBox box{sx - double(ix0), sy - double(iy0), sw, sh};

  std::vector<Region> out;
  for (double t : targets) {
    Region g;
    g.rect = r;
    g.target_mpp = t;
    g.level = level;
    g.level_mpp = s.mpp().x * sc;
    int ow, oh;
    output_size(s, r, t, ow, oh);
    const bool exact = box.x == 0 && box.y == 0 && ow == window.width && oh == window.height && sw == double(ow) && sh == double(oh);
    if (exact) {
      g.pixels = window;
      g.kernel = "none";
    } else {
      const char* kernel = "";
      g.pixels = image::resample(window, box, ow, oh, &kernel);
      g.kernel = kernel;
    }
    g.mpp_x = r.w * s.mpp().x / ow;
    g.mpp_y = r.h * s.mpp().y / oh;
    out.push_back(std::move(g));
  }
  return out;
}

Region read_region_at_mpp(const Slide& s, const Rect& r, double target) { return std::move(read_multi(s, r, {target})[0]); }

}  // namespace rd::slide
