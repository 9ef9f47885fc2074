#include "models/batch_parallel.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <vector>

namespace rd::models {

bool use_batch_parallel(const c10::Device& device, int64_t batch, int64_t height, int64_t width) {
  const int threads = at::get_num_threads();
  return device.is_cpu() && threads > 1 && batch >= 2 * threads && height * width <= kBatchParallelMaxPixels;
}

// Not with autograd, BatchNorm's batch statistics (training) or autocast (its weight cache is per thread).
bool splits_batch(const ModelImpl& model, const at::Tensor& x) {
  return x.dim() == 4 && !torch::GradMode::is_enabled() && !model.is_training() && !at::autocast::is_cpu_enabled() &&
         use_batch_parallel(x.device(), x.size(0), x.size(2), x.size(3));
}

std::pair<at::Tensor, at::Tensor> forward(ModelImpl& model, const at::Tensor& x) {
  if (!splits_batch(model, x)) return model.forward(x);
  const int64_t n = x.size(0), parts = at::get_num_threads();
  std::vector<std::pair<at::Tensor, at::Tensor>> out(static_cast<size_t>(parts));
  // One part per OpenMP thread; ops nested in a parallel region run on their own thread. Grad and inference mode
  // are per thread, and OpenMP's threads do not inherit them: each part takes the caller's.
  const at::ThreadLocalState caller;
  at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
    at::ThreadLocalStateGuard same_state(caller);
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
