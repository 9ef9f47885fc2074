#include "models/gn_resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/functional.h>

#include "models/init.h"
#include "models/max_pool.h"
#include "util/error.h"

namespace rd::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad) {
  return nn::Conv2d(nn::Conv2dOptions(cin, cout, k).stride(stride).padding(pad).bias(false));
}

nn::GroupNorm gn(int64_t groups, int64_t c) {
  if (c % groups != 0) {
    throw Error(code::kConfigInvalid,
                "GroupNorm: " + std::to_string(c) + " channels not divisible by " + std::to_string(groups) + " groups");
  }
  return nn::GroupNorm(nn::GroupNormOptions(groups, c));
}

}  // namespace

GnBlockImpl::GnBlockImpl(int64_t cin, int64_t cout, int64_t stride, int64_t groups) {
  c1 = register_module("c1", conv(cin, cout, 3, stride, 1));
  n1 = register_module("n1", gn(groups, cout));
  c2 = register_module("c2", conv(cout, cout, 3, 1, 1));
  n2 = register_module("n2", gn(groups, cout));
  if (stride != 1 || cin != cout) {
    down = register_module("down", nn::Sequential(conv(cin, cout, 1, stride, 0), gn(groups, cout)));
  }
}

// In-place ReLU and residual add on GroupNorm outputs: GN's backward keeps its input, not its output, so this is
// autograd-safe (autograd would throw otherwise) and saves two allocations per block, as torchvision's inplace ReLU.
torch::Tensor GnBlockImpl::forward(torch::Tensor x) {
  auto y = n1(c1(x)).relu_();
  y = n2(c2(y));
  y.add_(down ? down->forward(x) : x);
  return y.relu_();
}

GnResNetImpl::GnResNetImpl(int64_t num_classes, const ModelOptions& o) : ModelImpl("gn_resnet") {
  if (o.widths.empty() || o.blocks.size() != o.widths.size()) {
    throw Error(code::kConfigInvalid, "gn_resnet: blocks and widths must be non-empty and of equal length");
  }
  if (o.norm != "group") throw Error(code::kConfigInvalid, "gn_resnet: norm must be group");
  if (num_classes < 1) throw Error(code::kConfigInvalid, "gn_resnet: num_classes must be >= 1");
  const int64_t w0 = o.widths[0];
  stem =
      register_module("stem", nn::Sequential(conv(o.in_channels, w0, 7, 2, 3), gn(o.groups, w0), nn::ReLU(nn::ReLUOptions().inplace(true)),
                                             nn::Functional([](const torch::Tensor& x) { return models::max_pool2d(x, 3, 2, 1); })));
  // Blocks of all stages sit in one flat Sequential, so the default (one per stage) names them body.0..body.3 like the peer.
  body = register_module("body", nn::Sequential());
  int64_t cin = w0;
  for (size_t s = 0; s < o.widths.size(); ++s) {
    if (o.blocks[s] < 1) throw Error(code::kConfigInvalid, "gn_resnet: blocks per stage must be >= 1");
    for (int64_t b = 0; b < o.blocks[s]; ++b) {
      const int64_t stride = (s > 0 && b == 0) ? 2 : 1;
      body->push_back(GnBlock(cin, o.widths[s], stride, o.groups));
      cin = o.widths[s];
    }
  }
  fc = register_module("fc", nn::Linear(cin, num_classes));
  kaiming_init(*this);
}

std::pair<torch::Tensor, torch::Tensor> GnResNetImpl::forward(torch::Tensor x) {
  auto f = body->forward(stem->forward(x));
  return {f, fc(f.mean({2, 3}))};
}

}  // namespace rd::models
