// JSON views of slides, regions and tissue results: shared by the jobs, the addon and the driver.
#pragma once
#include <nlohmann/json.hpp>

#include "slide/tissue_grid.h"

namespace rd::slide {

// { path, vendor, width, height, levels: [{width,height,downsample,mpp}], mpp: {x,y,source,trail},
//   magnification, associatedImages, quickhash, properties }
nlohmann::json info_json(const Slide& slide);
// Region metadata (no pixels): { width, height, level, levelMpp, mpp: {x,y}, targetMpp, kernel, rect }.
nlohmann::json region_json(const Region& region);
// Run-length code of a 0/1 mask: [start, length] pairs over the row-major pixels that are 1.
nlohmann::json mask_rle(const image::Mask& mask);
// { thumbnail: {width,height,mpp}, threshold, otsu, coverage, mask: {width,height,rle}, pieces: [...] }
nlohmann::json tissue_json(const SlideTissue& tissue, bool with_masks);
nlohmann::json tiles_json(const Slide& slide, const std::vector<Tile>& tiles);

}  // namespace rd::slide
