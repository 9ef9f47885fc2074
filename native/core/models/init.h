// Kaiming initialisation as in torchvision's ResNet: convs kaiming_normal(fan_out, relu), norms weight 1 bias 0.
#pragma once
#include <torch/nn/module.h>

namespace rd::models {

// Linear layers keep LibTorch's default (the same as PyTorch's), as in torchvision.
void kaiming_init(torch::nn::Module& root);

}  // namespace rd::models
