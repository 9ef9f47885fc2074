// "stain.fit" and "stain.apply": the stain normalisation extraction uses (image/stain.h), on .npy images, so tests
// and users can check it against another implementation (python/resdistill_models.py) and see what it does.
#include <cmath>

#include "image/stain.h"
#include "job/job.h"
#include "job/spec.h"
#include "store/npy.h"
#include "util/error.h"

namespace rd::store {
namespace {

// spec: { method: macenko | reinhard, images: [.npy] } -> the reference fitted on their pooled pixels.
Json fit(const Json& spec, JobContext&) {
  const auto method = spec::require<std::string>(spec, "method");
  spec::check(method == "macenko" || method == "reinhard", "method", "must be macenko or reinhard");
  const auto images = spec::require<std::vector<std::string>>(spec, "images");
  spec::check(!images.empty(), "images", "must list at least one .npy image");
  std::vector<uint8_t> pool;
  for (const auto& path : images) {
    const auto image = read_rgb_npy(path, "images");
    image::pool_pixels(image.pixels.data(), image.pixels.size() / 3, pool);
  }
  return image::to_json(image::fit_stain(method, pool, images.size()));
}

// spec: { reference, image: .npy } -> { changed, exact: pixels before rounding (HWC), pixels: rounded }.
Json apply(const Json& spec, JobContext&) {
  const auto ref = image::stain_from_json(spec::require<Json>(spec, "reference"), "spec.reference", code::kConfigInvalid);
  auto image = read_rgb_npy(spec::require<std::string>(spec, "image"), "image");
  const size_t pixels = image.pixels.size() / 3;
  const auto exact = image::normalize_stain_exact(ref, image.pixels.data(), pixels);
  const bool changed = !exact.empty();  // rounded as normalize_stain does, without estimating twice
  for (size_t i = 0; i < exact.size(); ++i) image.pixels[i] = uint8_t(std::floor(exact[i] + 0.5));
  return {{"changed", changed}, {"exact", exact}, {"pixels", image.pixels}, {"shape", {image.shape.h, image.shape.w, 3}}};
}

const JobRegistrar kFit("stain.fit", "fit a stain reference (macenko or reinhard) on .npy images", fit);
const JobRegistrar kApply("stain.apply", "normalise one .npy image to a stain reference", apply);

}  // namespace
}  // namespace rd::store
