// Weights in the safetensors format (8-byte LE header length, JSON header, raw LE data), readable by
// Python's `safetensors.torch.load_file` and so loadable into the equivalent PyTorch module.
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/safetensors_header.h"

namespace rd::models {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Writes atomically (temp file, then rename). Tensors are copied to CPU and made contiguous.
void save_safetensors(const std::string& path, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});

// Called with the checked header before any tensor is allocated (to refuse a file whose metadata declares more than
// its tensors hold); data_size is the data section's length in bytes.
using SafetensorsHeaderCheck = std::function<void(const std::map<std::string, std::string>& metadata,
                                                  const std::vector<SafetensorsEntry>& entries, uint64_t data_size)>;

// Reads every tensor (CPU), from one open file. Throws WEIGHTS_INVALID for a truncated or malformed file, IO_ERROR when unreadable.
NamedTensors load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr,
                              const SafetensorsHeaderCheck& check = nullptr);

// The module's state dict as PyTorch names it: parameters then buffers (BatchNorm running stats included).
NamedTensors state_dict(const torch::nn::Module& module);

void save_weights(const torch::nn::Module& module, const std::string& path, const std::map<std::string, std::string>& metadata = {});

// Copies a file's tensors into the module in place. Every name must match with equal shape (strict, like PyTorch),
// and floating-point tensors must be finite (NaN or Inf weights give NaN outputs: WEIGHTS_INVALID instead).
void load_weights(torch::nn::Module& module, const std::string& path);
// The same check and copy for tensors already read from `path` (named in errors).
void load_weights(torch::nn::Module& module, const NamedTensors& tensors, const std::string& path);

}  // namespace rd::models
