#include "models/resnet.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/normalization.h>
#include <torch/torch.h>

#include "models/init.h"
#include "models/max_pool.h"
#include "util/error.h"

namespace rd::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t cin, int64_t cout, int64_t k, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(cin, cout, k).stride(stride).padding(k / 2).bias(false));
}

}  // namespace

nn::AnyModule make_norm(const std::string& kind, int64_t channels, int64_t groups) {
  if (kind == "batch") return nn::AnyModule(nn::BatchNorm2d(channels));
  if (kind == "group") {
    if (channels % groups != 0) {
      throw Error(code::kConfigInvalid,
                  "GroupNorm: " + std::to_string(channels) + " channels not divisible by " + std::to_string(groups) + " groups");
    }
    return nn::AnyModule(nn::GroupNorm(nn::GroupNormOptions(groups, channels)));
  }
  throw Error(code::kConfigInvalid, "unknown norm '" + kind + "' (use batch or group)");
}

TvBlockImpl::TvBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, bool bottleneck, const ModelOptions& o)
    : bottleneck_(bottleneck) {
  const int64_t out = planes * expansion(bottleneck);
  if (bottleneck) {
    conv1 = register_module("conv1", conv(inplanes, planes, 1, 1));
    bn1 = make_norm(o.norm, planes, o.groups);
    register_module("bn1", bn1.ptr());
    conv2 = register_module("conv2", conv(planes, planes, 3, stride));
    bn2 = make_norm(o.norm, planes, o.groups);
    register_module("bn2", bn2.ptr());
    conv3 = register_module("conv3", conv(planes, out, 1, 1));
    bn3 = make_norm(o.norm, out, o.groups);
    register_module("bn3", bn3.ptr());
  } else {
    conv1 = register_module("conv1", conv(inplanes, planes, 3, stride));
    bn1 = make_norm(o.norm, planes, o.groups);
    register_module("bn1", bn1.ptr());
    conv2 = register_module("conv2", conv(planes, planes, 3, 1));
    bn2 = make_norm(o.norm, planes, o.groups);
    register_module("bn2", bn2.ptr());
  }
  if (stride != 1 || inplanes != out) {
    downsample = nn::Sequential();
    downsample->push_back(conv(inplanes, out, 1, stride));
    downsample->push_back(make_norm(o.norm, out, o.groups));
    register_module("downsample", downsample);
  }
}

// In-place ReLU / add on norm outputs (their backward keeps the input), as torchvision's inplace=True.
torch::Tensor TvBlockImpl::forward(torch::Tensor x) {
  auto y = bn1.forward(conv1(x)).relu_();
  y = bn2.forward(conv2(y));
  if (bottleneck_) y = bn3.forward(conv3(y.relu_()));
  y.add_(downsample ? downsample->forward(x) : x);
  return y.relu_();
}

TvResNetImpl::TvResNetImpl(int depth, int64_t num_classes, const ModelOptions& options) : ModelImpl("resnet" + std::to_string(depth)) {
  const ModelOptions& o = options;
  std::vector<int64_t> blocks;
  bool bottleneck = false;
  if (depth == 18)
    blocks = {2, 2, 2, 2};
  else if (depth == 34)
    blocks = {3, 4, 6, 3};
  else if (depth == 50)
    blocks = {3, 4, 6, 3}, bottleneck = true;
  else
    throw Error(code::kConfigInvalid, "resnet depth must be 18, 34 or 50");
  if (num_classes < 1) throw Error(code::kConfigInvalid, "num_classes must be >= 1");
  conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(o.in_channels, 64, 7).stride(2).padding(3).bias(false)));
  bn1 = make_norm(o.norm, 64, o.groups);
  register_module("bn1", bn1.ptr());
  int64_t inplanes = 64;
  nn::Sequential* layers[4] = {&layer1, &layer2, &layer3, &layer4};
  for (int s = 0; s < 4; ++s) {
    const int64_t planes = 64 << s;
    *layers[s] = nn::Sequential();
    for (int64_t b = 0; b < blocks[s]; ++b) {
      (*layers[s])->push_back(TvBlock(inplanes, planes, (s > 0 && b == 0) ? 2 : 1, bottleneck, o));
      inplanes = planes * TvBlockImpl::expansion(bottleneck);
    }
    register_module("layer" + std::to_string(s + 1), *layers[s]);
  }
  fc = register_module("fc", nn::Linear(inplanes, num_classes));
  kaiming_init(*this);
}

std::pair<torch::Tensor, torch::Tensor> TvResNetImpl::forward(torch::Tensor x) {
  auto y = models::max_pool2d(bn1.forward(conv1(x)).relu_(), 3, 2, 1);
  auto f = layer4->forward(layer3->forward(layer2->forward(layer1->forward(y))));
  return {f, fc(f.mean({2, 3}))};
}

}  // namespace rd::models
