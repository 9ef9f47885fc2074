// The microns-per-pixel resolver. Sources in order: openslide.mpp-x/y, aperio.MPP, aperio.AppMag
// (mpp = 10 / mag), TIFF resolution tags (tiff.XResolution/YResolution + tiff.ResolutionUnit), then the
// caller's override. The result names the source and keeps an audit trail of every source consulted.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "util/error.h"

namespace rd {

namespace slide {

struct MppOverride {
  double value = 0;    // <= 0: none
  bool force = false;  // true: use `value` even when the slide has metadata (it is still recorded)
};

struct MppResolution {
  double x = 0, y = 0;             // microns per level-0 pixel
  std::string source;              // "openslide.mpp", "aperio.MPP", "aperio.AppMag", "tiff.resolution", "override"
  std::vector<std::string> trail;  // one line per source consulted, in order
};

// Plausible scan resolutions; TIFF tags outside this window are writer defaults (72 dpi, 1 px/mm), not scans.
inline constexpr double kMinPlausibleMpp = 0.02, kMaxPlausibleMpp = 100.0;

// Throws SLIDE_NO_MPP (naming the --mpp / { mpp } override) when no source gives a value.
MppResolution resolve_mpp(const std::map<std::string, std::string>& properties, const MppOverride& override_, const std::string& path);

}  // namespace slide
}  // namespace rd
