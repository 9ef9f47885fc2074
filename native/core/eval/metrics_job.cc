// "eval.metrics": metrics of given predictions (labels + probabilities [+ groups]); used for pooled and
// slide-level results computed outside a model run, and to check our metrics against scikit-learn-style references.
#include "run/metrics.h"
#include "job/job.h"
#include "job/spec.h"

namespace rd::eval {
namespace {

Json run_metrics(const Json& spec, JobContext&) {
  run::Predictions p;
  p.labels = spec::require<std::vector<int64_t>>(spec, "labels");
  p.probs = spec::require<std::vector<std::vector<double>>>(spec, "probs");
  p.groups = spec::get<std::vector<std::string>>(spec, "groups", {});
  spec::check(p.labels.size() == p.probs.size() && !p.labels.empty(), "probs", "needs one row per label");
  p.num_classes = static_cast<int64_t>(p.probs.front().size());
  for (size_t i = 0; i < p.labels.size(); ++i) {
    spec::check(int64_t(p.probs[i].size()) == p.num_classes, "probs", "rows must all have num_classes entries");
    spec::check(p.labels[i] >= 0 && p.labels[i] < p.num_classes, "labels", "out of range");
  }
  spec::check(p.groups.empty() || p.groups.size() == p.labels.size(), "groups", "needs one group per label");
  const auto names = spec::get<std::vector<std::string>>(spec, "labelNames", {});
  const int resamples = spec::require<int>(spec, "bootstrap");  // evaluation.bootstrap: the config owns the default
  spec::check(resamples >= 0, "bootstrap", "must be >= 0");
  return run::report(p, names, resamples, spec::get<uint64_t>(spec, "seed", 0));
}

const JobRegistrar kRegistrar("eval.metrics", "classification metrics with bootstrap CIs from given predictions", run_metrics);

}  // namespace
}  // namespace rd::eval
