// Builds the model a training or evaluation run describes (shared by train/ and eval/).
#pragma once
#include <c10/core/Device.h>

#include "models/options.h"

namespace rd::run {

// Seeded construction so the same seed gives the same initial weights; moved to the device.
models::Model build_model(const models::ModelSpec& m, int64_t num_classes, uint64_t seed, const c10::Device& device, bool channels_last);

}  // namespace rd::run
