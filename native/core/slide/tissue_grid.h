// Tissue detection on a slide (a thumbnail read at a low target mpp) and the tile grid in microns.
//
//   auto t = rd::slide::detect_tissue(*slide);                 // mask, pieces (level-0 boxes), coverage
//   auto tiles = rd::slide::tile_grid(*slide, t, {224 * 1.0}); // 224 px tiles at 10x, tissue fraction each
#pragma once
#include <vector>

#include "image/tissue.h"
#include "slide/region.h"

namespace rd::slide {

struct SlideTissueOptions {
  double mpp = 8.0;  // thumbnail scale (8 um/px = 1.25x); raised if the thumbnail would exceed max_side
  int max_side = 4096;
  int threshold = -1;  // saturation 0..255, < 0 = Otsu
  double close_um = 16, open_um = 16;
  bool fill_holes = true;
  double min_area_um2 = 20000;  // smaller pieces are dropped (0.02 mm^2)
};

struct SlidePiece {
  image::TissuePiece piece;  // thumbnail box and mask
  Rect rect;                 // the same box in level-0 pixels
  double area_um2 = 0;
};

struct SlideTissue {
  Region thumbnail;  // RGB at thumb_mpp, covering the whole slide
  image::TissueMask tissue;
  std::vector<SlidePiece> pieces;  // largest first
};

SlideTissue detect_tissue(const Slide& slide, const SlideTissueOptions& options = {});

struct Tile {
  Rect rect;  // level-0 pixels
  double x_um = 0, y_um = 0, size_um = 0;
  double tissue = 0;  // fraction of the tile's thumbnail footprint that is tissue
  int piece = -1;     // index into pieces of the piece covering most of the tile, -1 if none
};

struct TileGridOptions {
  double size_um = 0;     // side of a tile in microns (the field of view); required in a spec (sizeUm)
  double stride_um = 0;   // <= 0: size_um (no overlap)
  double min_tissue = 0;  // keep tiles with at least this tissue fraction; required in a spec (minTissue)
};

// Tiles lying wholly inside the slide, row-major, with tissue fraction >= min_tissue.
std::vector<Tile> tile_grid(const Slide& slide, const SlideTissue& tissue, const TileGridOptions& options);

}  // namespace rd::slide
