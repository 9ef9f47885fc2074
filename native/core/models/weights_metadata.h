// What a weights file says about itself, so a student can be used with nothing beside it (predict, Python, ONNX):
// the architecture, the classes in order, the magnification and field of view, the input normalisation, the method,
// the resdistill version and the run's identity. Stored as safetensors `__metadata__` (string values, camelCase keys).
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/stain.h"
#include "models/model.h"
#include "models/options.h"
#include "models/safetensors.h"

namespace rd::models {

// The metadata format this build writes and reads ("resdistillFormat").
inline constexpr const char* kWeightsFormat = "resdistill.weights/1";

struct WeightsMetadata {
  ModelSpec model;                                   // name, number of classes, options
  std::vector<std::string> classes;                  // label names, in logit order
  double magnification = 0;                          // 10 / mpp
  double mpp = 0;                                    // microns per pixel of the input
  std::optional<std::array<int64_t, 2>> input_size;  // [height, width] px of a training input; none for whole pieces
  std::string unit = "tiles";                        // tiles | pieces
  double max_size_um = 0;                            // pieces: the largest side of a cell, 0 = none
  std::string normalize = "dataset";                 // dataset | none
  std::array<float, 3> mean{0, 0, 0}, std{1, 1, 1};  // applied to RGB in [0, 1]
  std::string method;                                // teacher | baseline | kd | kd+init | kd-unlabeled | supervised | distill
  std::string run_id;                                // the run's identity hash
  bool synthetic = false;                            // trained on generated slides
  double teacher_magnification = 0;                  // distilled students: the teacher's magnification
  std::optional<image::StainReference> stain;        // the store's stain reference: each input is normalised to it first
  int64_t epoch = 0;
  std::string version;  // resdistill's, as built
};

// The resdistill version this core was built from (package.json).
std::string resdistill_version();

// The architecture as one JSON object: { name, norm, groups[, widths, blocks] } (resnetNN fix their own stages).
nlohmann::json architecture_json(const ModelSpec& m);

std::map<std::string, std::string> to_metadata(const WeightsMetadata& w);

// Throws WEIGHTS_INVALID naming `path` and every missing or malformed key.
WeightsMetadata from_metadata(const std::map<std::string, std::string>& metadata, const std::string& path);

// The metadata as JSON for TypeScript (camelCase, numbers as numbers).
nlohmann::json to_json(const WeightsMetadata& w);

// A file described well enough to use alone: its metadata parsed, checked, and consistent with its tensors (the
// architecture it names takes every tensor strictly). The model is built, loaded and in eval mode on the CPU.
struct DescribedWeights {
  WeightsMetadata metadata;
  Model model;
};
DescribedWeights load_described(const std::string& path);

}  // namespace rd::models
