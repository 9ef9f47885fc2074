// The fields every training job shares (store, magnification, model, batch, seed, device, augmentation, loop).
#pragma once
#include <c10/core/Device.h>

#include "job/job.h"
#include "models/options.h"
#include "train/loop.h"

namespace rd::train {

struct RunSpec {
  std::string store;
  double magnification = 0;
  models::ModelSpec model;
  int64_t batch_size = 16;
  uint64_t seed = 0;
  c10::Device device = c10::Device(c10::kCPU);
  bool bf16 = false;
  bool channels_last = false;  // models::use_channels_last
  Json augment;                // null = off
  bool normalize = true;       // spec.normalize "dataset" (default) | "none"
  std::string mode = "fixed";  // fixed tiles | exact pieces (batch 1 + accumulation) | bucket
  LoopSpec loop;
};

RunSpec parse_run(const Json& spec);

}  // namespace rd::train
