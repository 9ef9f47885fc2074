// Reads and describes the synth.cohort spec.
#include "synth/cohort_config.h"

#include <algorithm>
#include <cmath>

#include "job/spec.h"
#include "synth/scene.h"

namespace rd::synth {

CohortSpec read_cohort_spec(const nlohmann::json& spec) {
  CohortSpec c;
  c.out_dir = spec::require<std::string>(spec, "out");
  spec::check(!c.out_dir.empty(), "out", "must not be empty");
  const auto seed = spec::require<double>(spec, "seed");  // the config owns seed and slidesPerClass (SYNTHETIC_DEFAULTS)
  spec::check(seed >= 0 && seed <= 9007199254740991.0 && seed == std::floor(seed), "seed", "must be an integer in 0..2^53-1");
  c.seed = uint64_t(seed);
  c.slides_per_class = spec::require<int>(spec, "slidesPerClass");
  spec::check(c.slides_per_class >= 1 && c.slides_per_class <= 200, "slidesPerClass", "must be in 1..200");
  c.classes = spec::get<int>(spec, "classes", c.classes);
  spec::check(c.classes >= 2 && c.classes <= kMaxClasses, "classes", "must be 2 or 3");
  if (spec.contains("slideSizeUm") && !spec["slideSizeUm"].is_null()) {
    const auto& s = spec["slideSizeUm"];
    if (s.is_number()) {
      c.width_um = c.height_um = s.get<double>();
    } else {
      spec::check(s.is_array() && s.size() == 2 && s[0].is_number() && s[1].is_number(), "slideSizeUm",
                  "must be a number or [width, height] in microns");
      c.width_um = s[0].get<double>();
      c.height_um = s[1].get<double>();
    }
    spec::check(c.width_um >= 400 && c.width_um <= 20000 && c.height_um >= 400 && c.height_um <= 20000, "slideSizeUm",
                "each side must be in 400..20000 um");
  }
  c.mpp = spec::get<double>(spec, "mpp", c.mpp);
  spec::check(c.mpp >= 0.1 && c.mpp <= 2.0, "mpp", "must be in 0.1..2.0 um/px (0.25 is 40x, 0.5 is 20x)");
  c.tile = spec::get<int>(spec, "tileSize", c.tile);
  spec::check(c.tile >= 64 && c.tile <= 2048 && c.tile % 16 == 0, "tileSize", "must be a multiple of 16 in 64..2048");
  c.compression = spec::get<std::string>(spec, "compression", c.compression);
  spec::check(c.compression == "jpeg" || c.compression == "deflate", "compression", "must be \"jpeg\" or \"deflate\"");
  c.quality = spec::get<int>(spec, "quality", c.quality);
  spec::check(c.quality >= 1 && c.quality <= 100, "quality", "must be in 1..100");
  c.coarse_agreement = spec::get<double>(spec, "coarseAgreement", c.coarse_agreement);
  spec::check(c.coarse_agreement >= 0 && c.coarse_agreement <= 1, "coarseAgreement", "must be in 0..1");
  c.slides_per_patient = spec::get<int>(spec, "slidesPerPatient", c.slides_per_patient);
  spec::check(c.slides_per_patient >= 1 && c.slides_per_patient <= 50, "slidesPerPatient", "must be in 1..50");
  c.threads = spec::get<int>(spec, "threads", c.threads);
  spec::check(c.threads >= 0 && c.threads <= 256, "threads", "must be in 0..256 (0: the current setting)");
  return c;
}

int steps_per_slide(const CohortSpec& c) {
  int w = int(std::lround(c.width_um / c.mpp)), h = int(std::lround(c.height_um / c.mpp));
  int steps = (h + c.tile - 1) / c.tile + 1;  // render bands, then the final step
  for (;;) {
    steps += (h + c.tile - 1) / c.tile;
    if (std::max(w, h) <= c.tile) break;
    w = std::max(1, w / 2);
    h = std::max(1, h / 2);
  }
  return steps;
}

nlohmann::json describe_cohort(const CohortSpec& c) {
  nlohmann::json classes = nlohmann::json::array();
  for (int k = 0; k < c.classes; ++k)
    classes.push_back({{"label", class_name(k)}, {"fineCue", nuclear_name(Nuclear(k))}, {"coarseCue", architecture_name(Architecture(k))}});
  return {{"synthetic", true},
          {"note",
           "SYNTHETIC slides from resdistill's generator: not patient data. Classes differ in fine nuclear morphology "
           "(fully informative, needs <= ~2 um/px) and in coarse architecture (informative only with probability "
           "coarseAgreement per tissue piece, visible at 8 um/px). Nuclear size, count, area fraction and mean "
           "darkness are identical across classes, so below ~4 um/px only the coarse cue remains."},
          {"generator", "resdistill synth.cohort"},
          {"generatorVersion", 1},
          {"seed", c.seed},
          {"classes", classes},
          {"slidesPerClass", c.slides_per_class},
          {"slidesPerPatient", c.slides_per_patient},
          {"coarseAgreement", c.coarse_agreement},
          {"slideSizeUm", {c.width_um, c.height_um}},
          {"mpp", c.mpp},
          {"tileSize", c.tile},
          {"compression", c.compression},
          {"quality", c.quality},
          {"mppSource", "TIFF XResolution/YResolution with ResolutionUnit=centimeter (OpenSlide: tiff.XResolution)"},
          {"stainVariation", "per slide, drawn independently of the label: stain vectors +-0.07, H x0.8-1.2, E x0.7-1.25"},
          {"csv", "cohort.csv: path (relative to this folder), label, group (synthetic patient)"}};
}

}  // namespace rd::synth
