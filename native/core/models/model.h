// The common model interface: every network returns (last conv feature map, logits), as distillation needs both.
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rd::models {

// Options shared by the zoo; a model ignores what does not apply to it.
struct ModelOptions {
  std::vector<int64_t> blocks{1, 1, 1, 1};        // blocks per stage (paper net); resnet18/34/50 fix their own
  std::vector<int64_t> widths{32, 64, 128, 256};  // stage widths (paper net)
  int64_t groups = 32;                            // GroupNorm groups
  std::string norm = "group";                     // "group" (the paper's) or "batch" (torchvision's; resnetNN only)
  int64_t in_channels = 3;
};

class ModelImpl : public torch::nn::Module {
 public:
  // Returns (feature map before global pooling, logits).
  virtual std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x) = 0;
  const std::string& name() const { return name_; }

 protected:
  explicit ModelImpl(std::string name) : torch::nn::Module(name), name_(std::move(name)) {}

 private:
  std::string name_;
};

using Model = std::shared_ptr<ModelImpl>;

// Builds a zoo model by name: "gn_resnet" (the paper's), "resnet18", "resnet34", "resnet50".
// Throws Error(CONFIG_INVALID) for an unknown name or inconsistent options.
Model make(const std::string& name, int64_t num_classes, const ModelOptions& options = {});

// The names make() accepts, for help texts and errors.
std::vector<std::string> model_names();

// Number of trainable parameters (what torchvision's counts refer to).
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace rd::models
