#include "cost/counter.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "util/error.h"

namespace rd::cost {
namespace {

// What the start callback saw of an outermost op: its inputs are only valid there.
struct Seen : at::ObserverContext {
  std::vector<int64_t> weight;  // conv / linear weight shape
  std::vector<int64_t> kernel;  // pooling kernel
  int64_t inner = 0;            // reduction length of a matrix product (addmm / mm / matmul)
  int64_t in_numel = 0;
};

struct Trace {
  int depth = 0;
  std::vector<OpCost> ops;
  int64_t peak_pair = 0;  // max elements of one op's first input plus its output
};
thread_local Trace* g_trace = nullptr;

bool is(const char* name, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (std::strcmp(name, n) == 0) return true;
  return false;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (!g_trace || ++g_trace->depth != 1) return nullptr;  // only ops called by the model itself, not their internals
  auto seen = std::make_unique<Seen>();
  const auto inputs = fn.inputs();
  if (!inputs.empty() && inputs[0].isTensor()) seen->in_numel = inputs[0].toTensor().numel();
  const char* name = fn.name();
  if (is(name, {"aten::conv2d", "aten::convolution", "aten::conv1d", "aten::conv3d", "aten::linear"}) && inputs.size() > 1 &&
      inputs[1].isTensor()) {
    seen->weight = inputs[1].toTensor().sizes().vec();
  } else if (is(name, {"aten::addmm"}) && inputs.size() > 1 && inputs[1].isTensor()) {
    seen->inner = inputs[1].toTensor().size(-1);  // LibTorch's Linear runs t + addmm rather than aten::linear
  } else if (is(name, {"aten::mm", "aten::matmul", "aten::bmm"}) && !inputs.empty() && inputs[0].isTensor()) {
    seen->inner = inputs[0].toTensor().size(-1);
  } else if (is(name, {"aten::max_pool2d", "aten::avg_pool2d"}) && inputs.size() > 1 && inputs[1].isIntList()) {
    seen->kernel = inputs[1].toIntVector();
  }
  return seen;
}

// Per-kind rule for `other_ops`: norms 4 per output element (two statistics, normalise, affine), pooling one compare
// or add per window element, additions and activations one per element, global means one per input element.
void on_end(const at::RecordFunction& fn, at::ObserverContext* ctx) {
  if (!g_trace) return;
  g_trace->depth--;
  auto* seen = static_cast<Seen*>(ctx);
  if (!seen) return;
  const auto& outputs = fn.outputs();
  if (outputs.empty() || !outputs[0].isTensor()) return;
  const auto out = outputs[0].toTensor();
  OpCost c;
  c.op = fn.name();
  c.out_shape = out.sizes().vec();
  const int64_t n = out.numel();
  const char* name = fn.name();
  if (!seen->weight.empty() && is(name, {"aten::linear"})) {
    c.kind = "linear";
    c.macs = n * seen->weight.back();
  } else if (seen->inner > 0) {
    c.kind = "linear";
    c.macs = n * seen->inner;
  } else if (!seen->weight.empty()) {
    c.kind = "conv";  // each output element: (C_in / groups) * kernel area MACs = weight elements per output channel
    int64_t per_out = 1;
    for (size_t i = 1; i < seen->weight.size(); ++i) per_out *= seen->weight[i];
    c.macs = n * per_out;
  } else if (is(name, {"aten::group_norm", "aten::batch_norm", "aten::layer_norm", "aten::instance_norm"})) {
    c.kind = "norm";
    c.other_ops = 4 * n;
  } else if (is(name, {"aten::max_pool2d", "aten::avg_pool2d"})) {
    c.kind = "pool";
    int64_t area = 1;
    for (auto k : seen->kernel) area *= k;
    if (seen->kernel.size() == 1) area *= seen->kernel[0];
    c.other_ops = n * area;
  } else if (is(name, {"aten::mean", "aten::adaptive_avg_pool2d", "aten::adaptive_max_pool2d", "aten::sum"})) {
    c.kind = "pool";
    c.other_ops = seen->in_numel;
  } else if (is(name, {"aten::add", "aten::add_", "aten::sub", "aten::mul", "aten::div"})) {
    c.kind = "add";
    c.other_ops = n;
  } else if (is(name, {"aten::relu", "aten::relu_", "aten::gelu", "aten::sigmoid", "aten::silu", "aten::hardtanh"})) {
    c.kind = "activation";
    c.other_ops = n;
  } else if (is(name, {"aten::t", "aten::view", "aten::reshape", "aten::transpose", "aten::permute", "aten::flatten", "aten::expand",
                       "aten::squeeze", "aten::unsqueeze", "aten::select", "aten::slice"})) {
    return;  // views: no arithmetic, no new memory
  } else {
    c.kind = "other";
    c.other_ops = n;
  }
  g_trace->peak_pair = std::max(g_trace->peak_pair, seen->in_numel + n);
  g_trace->ops.push_back(std::move(c));
}

}  // namespace

CostReport count_cost(models::ModelImpl& model, int64_t height, int64_t width, int64_t batch, int64_t in_channels) {
  if (height < 1 || width < 1 || batch < 1) throw Error(code::kConfigInvalid, "cost: height, width and batch must be >= 1");
  Trace trace;
  const bool was_training = model.is_training();
  model.eval();
  auto x = torch::zeros({1, in_channels, height, width});
  torch::NoGradGuard no_grad;
  g_trace = &trace;
  auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(on_start, on_end).needsInputs(true).needsOutputs(true).scopes({at::RecordScope::FUNCTION}));
  try {
    model.forward(x);
  } catch (...) {
    at::removeCallback(handle);
    g_trace = nullptr;
    model.train(was_training);
    throw;
  }
  at::removeCallback(handle);
  g_trace = nullptr;
  model.train(was_training);
  if (trace.ops.empty()) throw Error(code::kInternal, "cost: no ops were observed (RecordFunction disabled in this LibTorch?)");

  CostReport r;
  r.height = height, r.width = width, r.batch = batch;
  int64_t out_elems = 0;
  for (const auto& op : trace.ops) {
    r.macs += op.macs;
    r.other_ops += op.other_ops;
    int64_t n = 1;
    for (auto d : op.out_shape) n *= d;
    out_elems += n;
  }
  r.macs *= batch;
  r.flops = 2 * r.macs;
  r.other_ops *= batch;
  r.params = models::count_parameters(model);
  r.train_activation_bytes = (out_elems + in_channels * height * width) * batch * int64_t(sizeof(float));
  r.infer_activation_bytes = trace.peak_pair * batch * int64_t(sizeof(float));
  r.ops = std::move(trace.ops);
  return r;
}

}  // namespace rd::cost
