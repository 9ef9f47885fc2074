// "cost.count": exact MACs / FLOPs / other ops / params / activation memory of a zoo model at one or more input sizes.
#include <torch/torch.h>

#include "cost/counter.h"
#include "job/job.h"
#include "job/spec.h"
#include "models/options.h"

namespace rd::cost {
namespace {

Json to_json(const CostReport& r, bool layers) {
  Json j = {{"height", r.height},
            {"width", r.width},
            {"batchSize", r.batch},
            {"macs", r.macs},
            {"flops", r.flops},
            {"otherOps", r.other_ops},
            {"params", r.params},
            {"trainActivationBytes", r.train_activation_bytes},
            {"inferActivationBytes", r.infer_activation_bytes}};
  if (layers) {
    Json ops = Json::array();
    for (const auto& op : r.ops)
      ops.push_back({{"op", op.op}, {"kind", op.kind}, {"outShape", op.out_shape}, {"macs", op.macs}, {"otherOps", op.other_ops}});
    j["ops"] = ops;
  }
  return j;
}

// spec: model fields (models/options.h) + sizes: [[h, w], ...] (or height/width), batchSize, layers.
Json run_count(const Json& spec, JobContext& ctx) {
  auto ms = models::read_model(spec);
  auto model = models::make(ms);
  std::vector<std::vector<int64_t>> sizes;
  if (spec.contains("sizes")) {
    sizes = spec::get<std::vector<std::vector<int64_t>>>(spec, "sizes", {});
  } else {
    sizes.push_back({spec::require<int64_t>(spec, "height"), spec::get<int64_t>(spec, "width", spec::require<int64_t>(spec, "height"))});
  }
  spec::check(!sizes.empty(), "sizes", "must not be empty");
  const auto batch = spec::get<int64_t>(spec, "batchSize", 1);
  const bool layers = spec::get<bool>(spec, "layers", false);
  Json rows = Json::array();
  for (size_t i = 0; i < sizes.size(); ++i) {
    ctx.check_cancelled();
    spec::check(sizes[i].size() == 2 && sizes[i][0] >= 1 && sizes[i][1] >= 1, "sizes[" + std::to_string(i) + "]",
                "must be [height, width] >= 1");
    rows.push_back(to_json(count_cost(*model, sizes[i][0], sizes[i][1], batch), layers));
    ctx.emit({{"type", "progress"}, {"done", i + 1}, {"total", sizes.size()}});
  }
  return {{"model", ms.name}, {"classes", ms.classes}, {"rows", rows}};
}

const JobRegistrar kRegistrar("cost.count", "exact conv/linear MACs, FLOPs (2 x MACs), other ops, params, activation memory", run_count);

}  // namespace
}  // namespace rd::cost
