// Thumbnail, tissue pipeline and the micron tile grid; the tissue fraction uses a summed-area table.
#include "slide/tissue_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/memory_budget.h"

namespace rd::slide {
namespace {
// A tile as the grid, its JSON result, the JS object built from it and the per-tile prediction hold it.
constexpr double kBytesPerTile = 2048;  // measured: predict --stride-um 1 on CMU-1-Small-Region peaks at ~1.1 kB per position
}  // namespace

SlideTissue detect_tissue(const Slide& s, const SlideTissueOptions& o) {
  if (!(o.mpp > 0)) throw Error(code::kConfigInvalid, "tissue: mpp must be positive");
  double mpp = std::max(o.mpp, s.mpp().x);
  const double longest_um = std::max(double(s.width()) * s.mpp().x, double(s.height()) * s.mpp().y);
  mpp = std::max(mpp, longest_um / std::max(16, o.max_side));
  SlideTissue t;
  t.thumbnail = read_region_at_mpp(s, {0, 0, double(s.width()), double(s.height())}, mpp);
  const double px_um = t.thumbnail.mpp_x;
  image::TissueOptions io;
  io.threshold = o.threshold;
  io.close_radius = int(std::lround(o.close_um / px_um));
  io.open_radius = int(std::lround(o.open_um / px_um));
  io.fill_holes = o.fill_holes;
  io.min_area = std::max(1LL, (long long)std::llround(o.min_area_um2 / (t.thumbnail.mpp_x * t.thumbnail.mpp_y)));
  t.tissue = image::detect_tissue(t.thumbnail.pixels, io);
  const double kx = double(s.width()) / t.thumbnail.pixels.width, ky = double(s.height()) / t.thumbnail.pixels.height;
  for (const auto& p : t.tissue.pieces) {
    SlidePiece sp{p, {p.x * kx, p.y * ky, p.w * kx, p.h * ky}, double(p.area) * t.thumbnail.mpp_x * t.thumbnail.mpp_y};
    t.pieces.push_back(std::move(sp));
  }
  return t;
}

std::vector<Tile> tile_grid(const Slide& s, const SlideTissue& t, const TileGridOptions& o) {
  if (!(o.size_um > 0)) throw Error(code::kConfigInvalid, "tiles: tile size in microns must be positive");
  const double stride = o.stride_um > 0 ? o.stride_um : o.size_um;
  const auto& m = t.tissue.mask;
  const int mw = m.width, mh = m.height;
  // Summed-area tables of the mask and of each piece label, so each tile costs O(1) (+ pieces).
  std::vector<int64_t> sat(size_t(mw + 1) * (mh + 1), 0);
  for (int y = 0; y < mh; ++y)
    for (int x = 0; x < mw; ++x)
      sat[size_t(y + 1) * (mw + 1) + x + 1] = m.data[size_t(y) * mw + x] + sat[size_t(y) * (mw + 1) + x + 1] +
                                              sat[size_t(y + 1) * (mw + 1) + x] - sat[size_t(y) * (mw + 1) + x];
  auto sum = [&](int x0, int y0, int x1, int y1) {
    return sat[size_t(y1) * (mw + 1) + x1] - sat[size_t(y0) * (mw + 1) + x1] - sat[size_t(y1) * (mw + 1) + x0] +
           sat[size_t(y0) * (mw + 1) + x0];
  };
  const double width_um = double(s.width()) * s.mpp().x, height_um = double(s.height()) * s.mpp().y;
  const double tx = t.thumbnail.mpp_x, ty = t.thumbnail.mpp_y;
  // Every grid position may become a tile, and every tile later a JSON record, a JS object and a prediction.
  const double positions =
      std::max(0.0, std::floor((width_um - o.size_um) / stride) + 1) * std::max(0.0, std::floor((height_um - o.size_um) / stride) + 1);
  char what[160];
  std::snprintf(what, sizeof what, "a tile grid of %g um tiles every %g um (%.3g positions)", o.size_um, stride, positions);
  check_memory(positions * kBytesPerTile, what);
  std::vector<Tile> out;
  for (double y = 0; y + o.size_um <= height_um + 1e-6; y += stride) {
    for (double x = 0; x + o.size_um <= width_um + 1e-6; x += stride) {
      // Thumbnail pixels whose centres fall inside the tile.
      int x0 = std::clamp(int(std::ceil(x / tx - 0.5)), 0, mw), x1 = std::clamp(int(std::ceil((x + o.size_um) / tx - 0.5)), 0, mw);
      int y0 = std::clamp(int(std::ceil(y / ty - 0.5)), 0, mh), y1 = std::clamp(int(std::ceil((y + o.size_um) / ty - 0.5)), 0, mh);
      if (x1 <= x0) x1 = std::min(mw, x0 + 1), x0 = x1 - 1;
      if (y1 <= y0) y1 = std::min(mh, y0 + 1), y0 = y1 - 1;
      const double frac = double(sum(x0, y0, x1, y1)) / double((x1 - x0) * (y1 - y0));
      if (frac < o.min_tissue || frac <= 0) continue;
      Tile tile{microns_to_level0(s, x, y, o.size_um, o.size_um), x, y, o.size_um, frac, -1};
      int64_t best = 0;
      for (size_t p = 0; p < t.pieces.size(); ++p) {
        const auto& pc = t.pieces[p].piece;
        int64_t n = 0;
        for (int yy = std::max(y0, pc.y); yy < std::min(y1, pc.y + pc.h); ++yy)
          for (int xx = std::max(x0, pc.x); xx < std::min(x1, pc.x + pc.w); ++xx) n += pc.mask.data[size_t(yy - pc.y) * pc.w + xx - pc.x];
        if (n > best) {
          best = n;
          tile.piece = int(p);
        }
      }
      out.push_back(tile);
    }
  }
  return out;
}

}  // namespace rd::slide
