// The fields every training job shares (store, magnification, model, batch, seed, device, augmentation, loop).
#pragma once
#include <c10/core/Device.h>

#include "job/job.h"
#include "models/model.h"
#include "train/loop.h"
#include "train/model_spec.h"

namespace rd::train {

struct RunSpec {
  std::string store;
  double magnification = 0;
  ModelSpec model;
  int64_t batch_size = 16;
  uint64_t seed = 0;
  c10::Device device = c10::Device(c10::kCPU);
  bool bf16 = false;
  bool channels_last = true;  // default: on CPU only
  Json augment;  // null = off
  bool normalize = true;  // spec.normalize "dataset" (default) | "none"
  std::string mode = "fixed";  // fixed tiles | exact pieces (batch 1 + accumulation) | bucket
  LoopSpec loop;
};

RunSpec parse_run(const Json& spec);

// spec.normalize: "dataset" (the store's mean/std, the default) or "none"; CONFIG_INVALID otherwise.
bool parse_normalize(const Json& spec);

// Seeded construction so the same seed gives the same initial weights; moved to the device.
models::Model build_model(const ModelSpec& m, int64_t num_classes, uint64_t seed, const c10::Device& device, bool channels_last);

}  // namespace rd::train
