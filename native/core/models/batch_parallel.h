// Forward passes of small inputs split their batch across LibTorch's threads instead of splitting each op.
#pragma once
#include <c10/core/Device.h>

#include <utility>

#include "models/model.h"

namespace rd::models {

// Up to this many pixels per image. A 28 px GN ResNet gains nothing from a second intra-op thread (its ops are
// too small to split), but two halves of its batch run side by side.
constexpr int64_t kBatchParallelMaxPixels = 128 * 128;

// True for CPU forward passes of small inputs when there are threads to share and at least two images per thread.
bool use_batch_parallel(const c10::Device& device, int64_t batch, int64_t height, int64_t width);

// model.forward(x), with x's batch split into one contiguous part per thread where use_batch_parallel says so and
// autograd is off.
// Each image meets the same kernels either way, so the outputs equal an unsplit forward pass.
std::pair<at::Tensor, at::Tensor> forward(ModelImpl& model, const at::Tensor& x);

}  // namespace rd::models
