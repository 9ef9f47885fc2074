// Rasterises a scene at a given mpp into an 8-bit RGB image, band by band (Beer-Lambert H&E colour).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "synth/scene.h"

namespace rd::synth {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel
};

// Renders the full slide; `on_band(done, total)` runs after each band (progress, cancellation).
RgbImage render_scene(const Scene& scene, double mpp, int band_rows, const std::function<void(int, int)>& on_band);

// Nucleus darkness scale per morphology that equalises the mean transmittance of a nucleus,
// so morphology cannot be read from colour once a nucleus shrinks below one pixel.
float nuclear_scale(const Scene& scene, Nuclear morphology);

}  // namespace rd::synth
