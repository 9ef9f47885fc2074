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
// Measured (cost.measure, GN ResNet, batch 64, 2 threads): 28 px 11,013 -> 23,133 img/s, 56 px 5,729 -> 7,723,
// 112 px 1,863 -> 2,047; at 1 thread 28 px runs 12,988.
bool use_batch_parallel(const c10::Device& device, int64_t batch, int64_t height, int64_t width);

// Whether forward(model, x) splits x's batch here: use_batch_parallel says so, the model is in eval mode, and
// autograd and autocast are off.
bool splits_batch(const ModelImpl& model, const at::Tensor& x);

// model.forward(x), with x's batch split into one contiguous part per thread where splits_batch says so. Each part runs its ops on one
// thread, so the outputs equal a forward pass at 1 thread bit for bit (test/native/classify.test.ts), not always one at several threads.
std::pair<at::Tensor, at::Tensor> forward(ModelImpl& model, const at::Tensor& x);

}  // namespace rd::models
