// torchvision-compatible ResNet-18/34/50 (v1.5: stride on the 3x3 of a Bottleneck) with BatchNorm or GroupNorm.
// Parameter and buffer names equal torchvision.models.resnetNN's state_dict (conv1, bn1, layerS.B.*, fc).
#pragma once
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/model.h"

namespace rd::models {

// A norm layer chosen at construction: "batch" (BatchNorm2d) or "group" (GroupNorm with `groups`).
torch::nn::AnyModule make_norm(const std::string& kind, int64_t channels, int64_t groups);

class TvBlockImpl : public torch::nn::Module {
 public:
  // bottleneck=false: BasicBlock (expansion 1); true: Bottleneck (expansion 4).
  TvBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, bool bottleneck, const ModelOptions& o);
  torch::Tensor forward(torch::Tensor x);
  static int64_t expansion(bool bottleneck) { return bottleneck ? 4 : 1; }

 private:
  bool bottleneck_;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::AnyModule bn1, bn2, bn3;
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(TvBlock);

class TvResNetImpl : public ModelImpl {
 public:
  // depth: 18, 34 or 50.
  TvResNetImpl(int depth, int64_t num_classes, const ModelOptions& options);
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x) override;

 private:
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::AnyModule bn1;
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
};

}  // namespace rd::models
