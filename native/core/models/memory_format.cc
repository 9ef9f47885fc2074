#include "models/memory_format.h"

#include <torch/torch.h>

namespace rd::models {

bool use_channels_last(std::optional<bool> forced, const c10::Device& device, bool training, int64_t height, int64_t width) {
  if (forced) return *forced;
  return device.is_cpu() && !training && height * width >= kChannelsLastMinPixels;
}

void to_memory_format(torch::nn::Module& model, bool channels_last) {
  torch::NoGradGuard no_grad;
  const auto format = channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(format));
}

at::Tensor to_memory_format(const at::Tensor& x, bool channels_last) {
  return x.dim() == 4 ? x.contiguous(channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous) : x;
}

}  // namespace rd::models
