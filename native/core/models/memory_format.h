// Which memory format a model runs in. One rule for training, the distillation teacher, prediction (slide.classify)
// and the benchmarks, so a measured figure is the figure of what the tool does. Validation and `eval` run in the
// run's training format.
#pragma once
#include <c10/core/Device.h>
#include <torch/nn/module.h>

#include <optional>

namespace rd::models {

// Inputs with at least this many pixels run forward passes in channels-last on CPU.
constexpr int64_t kChannelsLastMinPixels = 240 * 240;

// `forced`: the user's choice (spec `channelsLast`), when given. Otherwise NCHW, except CPU forward passes
// (no training) of at least kChannelsLastMinPixels. Measured with cost.measure, GN ResNet, batch 16, Debian LibTorch
// 1.13 (oneDNN), with the stem's max pooling of models/max_pool.h: NHWC trains slower at every size from 40 to
// 417 x 312 px (0.57x at 40 px, 0.85x at 224 px); forward passes at 1 / 2 threads run NHWC 0.38x / 0.49x as fast at
// 112 px, 0.88x / 0.94x at 224 px, 0.97x / 1.18x at 240 px, 1.5x / 1.7x at 417 x 312 px.
// On CUDA GroupNorm's channels-last kernels are the slower ones.
bool use_channels_last(std::optional<bool> forced, const c10::Device& device, bool training, int64_t height, int64_t width);

// 4-D parameters to channels-last (true) or contiguous NCHW (false); inputs follow with to_memory_format(x, ...).
void to_memory_format(torch::nn::Module& model, bool channels_last);
at::Tensor to_memory_format(const at::Tensor& x, bool channels_last);

}  // namespace rd::models
