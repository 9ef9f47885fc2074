// Exact operation counts of a model at a real input size, taken from the ops LibTorch actually runs.
// Every top-level ATen op of one forward pass is observed (RecordFunction), so nothing the model does is missed,
// and an upsampled "student" would show its true cost.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"

namespace rd::cost {

// One top-level op of the forward pass.
struct OpCost {
  std::string op;                  // ATen name, e.g. "aten::conv2d"
  std::string kind;                // conv | linear | norm | pool | add | activation | other
  std::vector<int64_t> out_shape;  // for batch 1
  int64_t macs = 0;                // multiply-accumulates (conv and linear only; bias adds excluded, as published counts)
  int64_t other_ops = 0;           // element operations of everything else (see counter.cc for the per-kind rule)
};

struct CostReport {
  int64_t height = 0, width = 0, batch = 1;
  int64_t macs = 0;       // conv + linear MACs for the whole batch
  int64_t flops = 0;      // 2 x macs
  int64_t other_ops = 0;  // norms, pooling, additions, activations (element operations)
  int64_t params = 0;
  int64_t train_activation_bytes = 0;  // every op output kept for backward, float32
  int64_t infer_activation_bytes = 0;  // peak of one op's input plus output, float32
  std::vector<OpCost> ops;             // per op, for batch 1
};

// Runs one batch-1 forward of `model` on zeros of (in_channels, height, width) without gradients and counts it;
// totals are then scaled to `batch`. The model's training flag is restored.
CostReport count_cost(models::ModelImpl& model, int64_t height, int64_t width, int64_t batch = 1, int64_t in_channels = 3);

}  // namespace rd::cost
