#include "models/max_pool.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

namespace rd::models {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor to_nhwc(const at::Tensor& x) { return x.contiguous(at::MemoryFormat::ChannelsLast); }

// The channels-last forward keeps NCHW indices; the backward hands them to the NCHW kernel.
class NhwcForwardMaxPool : public torch::autograd::Function<NhwcForwardMaxPool> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
    auto [y, indices] = at::max_pool2d_with_indices(to_nhwc(x), {kernel, kernel}, {stride, stride}, {padding, padding});
    ctx->save_for_backward({x, indices.contiguous()});
    ctx->saved_data["kernel"] = kernel;
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return y.contiguous();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto k = ctx->saved_data["kernel"].toInt(), s = ctx->saved_data["stride"].toInt(), p = ctx->saved_data["padding"].toInt();
    auto dx = at::max_pool2d_with_indices_backward(grad[0].contiguous(), saved[0], {k, k}, {s, s}, {p, p}, {1, 1}, false, saved[1]);
    return {dx, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

at::Tensor pool(const at::Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
  const bool nchw_cpu = x.is_cpu() && x.dim() == 4 && x.suggest_memory_format() == at::MemoryFormat::Contiguous;
  if (!nchw_cpu) return torch::max_pool2d(x, kernel, stride, padding);
  if (torch::GradMode::is_enabled() && x.requires_grad()) return NhwcForwardMaxPool::apply(x, kernel, stride, padding);
  return torch::max_pool2d(to_nhwc(x), kernel, stride, padding).contiguous();
}

}  // namespace

at::Tensor max_pool2d(const at::Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
  // Recorded as one pooling op, so cost counting (cost/counter.cc) sees what the model asked for, not its conversions.
  std::vector<c10::IValue> inputs;  // declared first, so it outlives `record`, which keeps a view of it
  at::RecordFunction record(at::RecordScope::FUNCTION);
  if (record.isActive()) {
    inputs = {x, c10::IValue(std::vector<int64_t>{kernel, kernel})};
    record.before("aten::max_pool2d", c10::ArrayRef<const c10::IValue>(inputs.data(), inputs.size()));
  }
  auto y = pool(x, kernel, stride, padding);
  if (record.isActive() && record.needsOutputs()) record.setOutputs(std::vector<c10::IValue>{y});
  return y;
}

}  // namespace rd::models
