#include "train/job_common.h"

#include "eval/predict.h"

namespace rd::train {

ValidateFn validator(models::ModelImpl& model, data::Loader& val, const RunSpec& r, const StoreFacts& facts, JobContext& ctx) {
  return [&model, &val, &r, &facts, &ctx] {
    double loss = 0;
    auto p = eval::predict(model, val, facts.num_classes, {r.device, r.bf16, r.channels_last, 0}, ctx, &loss);
    return eval::quick_metrics(p, loss);
  };
}

Json describe_run(Json result, const RunSpec& r, const StoreFacts& facts) {
  result["model"] = r.model.to_json();
  result["numClasses"] = facts.num_classes;
  result["labels"] = facts.label_names;
  result["magnification"] = r.magnification;
  return result;
}

}  // namespace rd::train
