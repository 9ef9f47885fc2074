// Writes an RGB image as a pyramidal tiled TIFF that OpenSlide reads as "generic-tiff":
// every level tiled, one directory per level (reduced-resolution subfile type), resolution tags in cm.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "synth/render.h"

namespace rd::synth {

struct TiffOptions {
  int tile = 256;
  double mpp = 0.25;                 // level-0 microns per pixel, written as XResolution/YResolution per cm
  std::string compression = "jpeg";  // "jpeg" (YCbCr) or "deflate"
  int quality = 90;
  std::string description;  // ImageDescription of level 0 (no timestamps: bytes stay deterministic)
};

struct LevelInfo {
  int width, height;
  double downsample;
};

// 2x2 box-filter halving (rounded), the pyramid step.
RgbImage halve(const RgbImage& in);

// Writes `path` (via path + ".tmp", then rename). `check` runs every tile row and may throw to abort.
std::vector<LevelInfo> write_pyramid_tiff(const std::string& path, const RgbImage& base, const TiffOptions& options,
                                          const std::function<void()>& check);

}  // namespace rd::synth
