#include "models/batch_parallel.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <vector>

namespace rd::models {

bool use_batch_parallel(const c10::Device& device, int64_t batch, int64_t height, int64_t width) {
  const int threads = at::get_num_threads();
  return device.is_cpu() && threads > 1 && batch >= 2 * threads &&
         height * width <= kBatchParallelMaxPixels;
}

std::pair<at::Tensor, at::Tensor> forward(ModelImpl& model, const at::Tensor& x) {
  if (x.dim() != 4 || torch::GradMode::is_enabled() || !use_batch_parallel(x.device(), x.size(0), x.size(2), x.size(3))) return model.forward(x);
  const int64_t n = x.size(0), parts = at::get_num_threads();
  const bool inference = c10::InferenceMode::is_enabled();
  std::vector<std::pair<at::Tensor, at::Tensor>> out(static_cast<size_t>(parts));
  // One part per OpenMP thread; ops nested in a parallel region run on their own thread. Autograd and inference
  // mode are per thread, so each part sets the caller's.
  at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
    c10::InferenceMode inference_mode(inference);
    torch::NoGradGuard no_grad;
    for (int64_t i = begin; i < end; ++i) out[size_t(i)] = model.forward(x.slice(0, i * n / parts, (i + 1) * n / parts));
  });
  std::vector<at::Tensor> features, logits;
  for (auto& [f, z] : out) {
    features.push_back(f);
    logits.push_back(z);
  }
  return {torch::cat(features), torch::cat(logits)};
}

}  // namespace rd::models
