// The paper's GroupNorm ResNet (DiPalma et al. 2021): BasicBlocks, widths 32-64-128-256, GroupNorm(32), Kaiming init.
// Parameter names and shapes equal /work/shared/bench/peers/gn_resnet.py's `Net` (stem.*, body.N.{c1,n1,c2,n2,down}, fc).
#pragma once
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/model.h"

namespace rd::models {

// One residual BasicBlock: conv3x3-GN-ReLU-conv3x3-GN (+ 1x1 conv-GN shortcut when shape changes), ReLU.
class GnBlockImpl : public torch::nn::Module {
 public:
  GnBlockImpl(int64_t cin, int64_t cout, int64_t stride, int64_t groups);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d c1{nullptr}, c2{nullptr};
  torch::nn::GroupNorm n1{nullptr}, n2{nullptr};
  torch::nn::Sequential down{nullptr};
};
TORCH_MODULE(GnBlock);

class GnResNetImpl : public ModelImpl {
 public:
  GnResNetImpl(int64_t num_classes, const ModelOptions& options);
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x) override;

 private:
  torch::nn::Sequential stem{nullptr}, body{nullptr};
  torch::nn::Linear fc{nullptr};
};

}  // namespace rd::models
