// Weights in the safetensors format (8-byte LE header length, JSON header, raw LE data), readable by
// Python's `safetensors.torch.load_file` and so loadable into the equivalent PyTorch module.
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rd::models {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Writes atomically (temp file, then rename). Tensors are copied to CPU and made contiguous.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Reads every tensor (CPU). Throws WEIGHTS_INVALID for a truncated or malformed file, IO_ERROR when unreadable.
NamedTensors load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

// The module's state dict as PyTorch names it: parameters then buffers (BatchNorm running stats included).
NamedTensors state_dict(const torch::nn::Module& module);

void save_weights(const torch::nn::Module& module, const std::string& path,
                  const std::map<std::string, std::string>& metadata = {});

// Copies a file's tensors into the module in place. Every name must match with equal shape (strict, like PyTorch).
void load_weights(torch::nn::Module& module, const std::string& path);
// The same check and copy for tensors already read from `path` (named in errors).
void load_weights(torch::nn::Module& module, const NamedTensors& tensors, const std::string& path);

}  // namespace rd::models
