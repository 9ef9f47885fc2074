// Regions at an exact scale: read the coarsest level whose mpp is at most the target, then area-downsample
// by the remaining (integer or fractional) factor. Several targets share one read and one field of view.
//
//   auto r = rd::slide::read_region_at_mpp(*slide, {x, y, w, h}, 1.0);   // 10x of a level-0 rectangle
//   auto v = rd::slide::read_multi(*slide, rect, {1.0, 2.0, 4.0});       // 10x, 5x, 2.5x of the same tissue
#pragma once
#include <string>
#include <vector>

#include "image/image.h"
#include "slide/slide.h"

namespace rd::slide {

// A rectangle in level-0 pixels (fractional allowed, e.g. when converted from microns).
struct Rect {
  double x = 0, y = 0, w = 0, h = 0;
};

// Microns (from the slide's top-left corner) to level-0 pixels, using the resolved mpp.
Rect microns_to_level0(const Slide& slide, double x_um, double y_um, double w_um, double h_um);

struct Region {
  image::Image pixels;  // RGB uint8, round(rect.w * mpp0 / target) wide
  Rect rect;            // the level-0 field of view covered
  double target_mpp = 0;
  double mpp_x = 0, mpp_y = 0;  // effective: field of view / output size (equals the target up to rounding)
  int level = 0;                // pyramid level read
  double level_mpp = 0;         // mpp of that level
  std::string kernel;           // "none" (level read as is), "area" or "bilinear"
};

// Output size for a rectangle at a target mpp (at least 1 x 1).
void output_size(const Slide& slide, const Rect& rect, double target_mpp, int& out_w, int& out_h);

// The coarsest level whose mpp is <= target (level 0 when the target is finer than the scan).
int level_for_mpp(const Slide& slide, double target_mpp);

// Throws REGION_OUTSIDE when the rectangle misses the slide entirely; partly outside is background-filled.
Region read_region_at_mpp(const Slide& slide, const Rect& rect, double target_mpp);

// One read at the level of the finest target, then one resample per target; all share `rect`.
std::vector<Region> read_multi(const Slide& slide, const Rect& rect, const std::vector<double>& target_mpps);

}  // namespace rd::slide
