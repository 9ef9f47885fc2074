#include "run/model_config.h"

#include <torch/torch.h>

#include "models/memory_format.h"

namespace rd::run {

models::Model build_model(const models::ModelSpec& m, int64_t num_classes, uint64_t seed, const c10::Device& device, bool channels_last) {
  torch::manual_seed(seed);
  auto model = models::make(m.name, num_classes, m.options);
  model->to(device);
  if (channels_last) models::to_memory_format(*model, true);
  return model;
}

}  // namespace rd::run
