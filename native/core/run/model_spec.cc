#include "run/model_spec.h"

#include <torch/torch.h>

namespace rd::run {

models::Model build_model(const models::ModelSpec& m, int64_t num_classes, uint64_t seed, const c10::Device& device, bool channels_last) {
  torch::manual_seed(seed);
  auto model = models::make(m.name, num_classes, m.options);
  model->to(device);
  if (channels_last) {
    for (auto& p : model->parameters()) {
      if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  return model;
}

}  // namespace rd::run
