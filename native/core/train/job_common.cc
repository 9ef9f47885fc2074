#include "train/job_common.h"

#include "run/predict.h"

namespace rd::train {

ValidateFn validator(models::ModelImpl& model, data::Loader& val, const RunSpec& r, const run::StoreFacts& facts, JobContext& ctx) {
  return [&model, &val, &r, &facts, &ctx] {
    double loss = 0;
    auto p = run::predict(model, val, facts.num_classes, {r.device, r.bf16, r.channels_last, 0}, ctx, &loss);
    return run::quick_metrics(p, loss);
  };
}

Json describe_run(Json result, const RunSpec& r, const run::StoreFacts& facts, const data::Loader& train) {
  result["model"] = r.model.architecture();
  result["numClasses"] = facts.num_classes;
  result["labels"] = facts.label_names;
  result["magnification"] = r.magnification;
  // What the model's inputs were standardised with, so it can be used without the store (predict, export).
  const auto& o = train.options();
  result["input"] = {{"normalize", r.normalize ? "dataset" : "none"},
                     {"mean", std::vector<float>(std::begin(o.mean), std::end(o.mean))},
                     {"std", std::vector<float>(std::begin(o.std), std::end(o.std))},
                     {"stain", train.store().manifest().value("stain", Json(nullptr))}};
  return result;
}

}  // namespace rd::train
