// Tissue detection on a low-magnification RGB thumbnail: HSV saturation, Otsu (or fixed) threshold,
// morphological close then open, hole filling and a minimum piece area. Slide-independent.
#pragma once
#include <vector>

#include "image/image.h"

namespace rd::image {

struct TissueOptions {
  int threshold = -1;      // saturation 0..255; < 0 means Otsu
  int min_threshold = 20;  // Otsu is floored here so a blank thumbnail does not become "tissue"
  int close_radius = 2;    // pixels of the thumbnail
  int open_radius = 2;
  bool fill_holes = true;
  long long min_area = 16;  // pixels of the thumbnail; smaller pieces are dropped
};

struct TissuePiece {
  int x = 0, y = 0, w = 0, h = 0;  // box in thumbnail pixels
  long long area = 0;              // tissue pixels
  Mask mask;                       // w x h, 1 = this piece
};

struct TissueMask {
  Mask mask;          // thumbnail-sized, 1 = tissue
  int threshold = 0;  // saturation threshold actually used
  bool otsu = true;
  std::vector<TissuePiece> pieces;  // largest first
  double coverage() const;          // tissue fraction of the thumbnail
};

// Otsu's threshold of a 256-bin histogram.
int otsu_threshold(const std::vector<long long>& histogram);

TissueMask detect_tissue(const Image& rgb, const TissueOptions& options = {});

}  // namespace rd::image
