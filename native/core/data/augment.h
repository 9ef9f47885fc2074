// Paired augmentation: one set of random parameters per sample, applied IDENTICALLY to every magnification.
// Geometry: horizontal flip, vertical flip, then a rotation by k*90 degrees (torch.rot90 convention).
// Colour: brightness, contrast, saturation and hue in a random order drawn per sample, as torchvision's ColorJitter
// (the authors' datasets/factory.py), with the semantics of torchvision.transforms.functional.adjust_* on float
// tensors in [0, 1].
#pragma once
#include <cstdint>

#include <nlohmann/json.hpp>

#include "store/store_reader.h"

namespace rd::data {

struct AugmentSpec {
  bool enabled = true;
  bool flips = true, rot90 = false;  // the authors' horizontal and vertical flips; quarter turns are ours, off by default
  // The authors' defaults (datasets/factory.py, config.py): factors drawn from [max(0, 1 - x), 1 + x]; hue shift from [-hue, hue] (hue <=
  // 0.5).
  double brightness = 0.5, contrast = 0.5, saturation = 0.5, hue = 0.2;
  // The experiment config's words: { flips, rot90, jitter: { brightness, contrast, saturation, hue } | null }.
  // null or false: off; jitter null: no colour jitter; CONFIG_INVALID naming spec.augment.<field>.
  static AugmentSpec from_json(const nlohmann::json& j);
  static nlohmann::json defaults();  // for the defaults-agree test
};

struct AugmentParams {
  bool hflip = false, vflip = false;
  int rot = 0;  // quarter turns, counter-clockwise
  bool jitter = false;
  float brightness = 1, contrast = 1, saturation = 1, hue = 0;
  int order[4] = {0, 1, 2, 3};  // the colour operations in the order applied: 0 brightness, 1 contrast, 2 saturation, 3 hue
};

// SplitMix64's mixer: the seeded hash behind augmentation draws and the unlabeled pool's share.
uint64_t splitmix(uint64_t x);

// Deterministic in (seed, epoch, sample id): the same sample gets the same draw whatever the thread or batch.
// square=false limits rotations to 0 and 180 degrees so a batch keeps one shape.
AugmentParams draw_params(const AugmentSpec& spec, uint64_t seed, int64_t epoch, int64_t sample, bool square);

// A rectangle of the stored view, in that view's pixels.
struct Crop {
  int64_t y = 0, x = 0, h = 0, w = 0;
};

// Writes one view as normalised float CHW into `out` (3 x H' x W', H'/W' swapped by odd rotations).
void render_view(const store::ViewRef& view, const Crop& crop, const AugmentParams& p, const float mean[3], const float std[3], float* out);

}  // namespace rd::data
