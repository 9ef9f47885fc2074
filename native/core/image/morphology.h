// Binary morphology on 0/1 masks: square structuring elements, hole filling, connected components.
#pragma once
#include <cstdint>
#include <vector>

#include "image/image.h"

namespace rd::image {

Mask dilate(const Mask& m, int radius);  // (2r+1) x (2r+1) square, separable
Mask erode(const Mask& m, int radius);
inline Mask close(const Mask& m, int radius) { return erode(dilate(m, radius), radius); }
inline Mask open(const Mask& m, int radius) { return dilate(erode(m, radius), radius); }

// Sets background regions that do not touch the border (holes) to 1.
Mask fill_holes(const Mask& m);

struct Component {
  int x = 0, y = 0, w = 0, h = 0;  // bounding box in mask pixels
  int64_t area = 0;                // pixels
  int label = 0;                   // value in the label image
};

// 8-connected components of the 1-pixels; labels[i] = component label (1-based), 0 for background.
std::vector<Component> components(const Mask& m, std::vector<int32_t>& labels);

}  // namespace rd::image
