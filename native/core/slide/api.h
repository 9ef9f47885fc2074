// The slide API in one include, for other core parts (the store writer, loaders, the driver):
//
//   auto slide = rd::slide::Slide::open(path, {/*mpp override*/ 0.5});      // typed rd::Error on bad input
//   auto views = rd::slide::read_multi(*slide, rect, {1.0, 2.0, 4.0});       // 10x, 5x, 2.5x, same field of view
//   auto tissue = rd::slide::detect_tissue(*slide);                          // mask + pieces (level-0 boxes)
//   auto tiles = rd::slide::tile_grid(*slide, tissue, {224.0});              // micron grid, tissue fraction each
//   rd::slide::read_batch(*slide, rects, mpps, threads, ctx, sink);          // parallel, progress + cancel
//
// Pixels are rd::image::Image (RGB uint8 HWC); kernels live in image/ and build without OpenSlide.
#pragma once
#include "slide/batch.h"
#include "slide/mpp.h"
#include "slide/region.h"
#include "slide/slide.h"
#include "slide/slide_json.h"
#include "slide/tissue_grid.h"
