// "eval": a trained model on a store split: metrics, per-class results, confusion, bootstrap CIs, slide aggregation.
#include "run/metrics.h"
#include "run/predict.h"
#include "job/job.h"
#include "job/spec.h"
#include "models/safetensors.h"
#include "run/described_model.h"
#include "run/model_config.h"
#include "run/store_views.h"
#include "util/device.h"
#include "util/magnification.h"

namespace rd::eval {
namespace {

Json run_eval(const Json& spec, JobContext& ctx) {
  const auto store = spec::require<std::string>(spec, "store");
  const auto split = spec::get<std::string>(spec, "split", "test");
  const double mag = spec::require<double>(spec, "magnification");
  const auto device = parse_device(spec::get<std::string>(spec, "device", "cpu"));
  const int resamples = spec::require<int>(spec, "bootstrap");  // evaluation.bootstrap: the config owns the default
  const uint64_t seed = spec::get<uint64_t>(spec, "seed", 0);
  spec::check(split == "train" || split == "val" || split == "test", "split", "use train, val or test");
  spec::check(resamples >= 0, "bootstrap", "must be >= 0");
  const auto facts = run::store_facts(store);
  run::ViewRequest request{store,
                           {mag},
                           split,
                           spec::get<int64_t>(spec, "batchSize", 32),
                           spec::get<std::string>(spec, "mode", "fixed"),
                           false,
                           nullptr,
                           seed,
                           1,
                           run::parse_normalize(spec)};
  models::Model model;
  if (spec.contains("weights")) {  // a self-describing file (a teacher brought from elsewhere): its own net and normalisation
    auto d = run::load_described_for_store(spec::require<std::string>(spec, "weights"), facts, device, "weights");
    spec::check(same_magnification(d.magnification, mag), "weights",
                "the file's model is at " + Json(d.magnification).dump() + "x, not " + Json(mag).dump() + "x");
    model = d.model;
    request.input = d.input;
  } else {
    model = run::build_model(models::read_model(spec), facts.num_classes, seed, device, false);
    models::load_weights(*model, spec::require<std::string>(spec, "checkpoint"));
  }
  auto source = run::open_loader(request);
  double loss = 0;
  auto p = run::predict(*model, *source, facts.num_classes, {device, false, false, 0}, ctx, &loss);
  Json out = run::report(p, facts.label_names, resamples, seed);
  out["split"] = split;
  out["magnification"] = mag;
  out["loss"] = loss;
  out["samples"] = run::samples_json(p);
  return out;
}

const JobRegistrar kRegistrar("eval", "evaluate a checkpoint on a store split with bootstrap confidence intervals", run_eval);

}  // namespace
}  // namespace rd::eval
