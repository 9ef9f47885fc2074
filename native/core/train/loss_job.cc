// "train.loss": evaluates the distillation loss on tensors from a safetensors file, so tests can cross-check
// every term against PyTorch Python.
#include <torch/torch.h>

#include "job/job.h"
#include "job/spec.h"
#include "models/safetensors.h"
#include "train/losses.h"

namespace rd::train {
namespace {

// spec: { tensors: file with fs, zs, ft, zt [, labels], loss: { the experiment config's loss fields } }; returns each term as a double.
Json run_loss(const Json& spec, JobContext&) {
  auto o = parse_loss(spec::get<Json>(spec, "loss", Json::object()));  // options first: a bad option is named before any file is read
  auto named = models::load_safetensors(spec::require<std::string>(spec, "tensors"));
  std::map<std::string, at::Tensor> t(named.begin(), named.end());
  for (const char* k : {"fs", "zs", "ft", "zt"})
    if (!t.count(k)) throw Error(code::kConfigInvalid, std::string("spec.tensors: file lacks '") + k + "'");
  auto terms = distill_loss(t["fs"], t["zs"], t["ft"], t["zt"], t.count("labels") ? t["labels"] : at::Tensor(), o);
  return {{"total", terms.total.item<double>()},
          {"kd", terms.kd.item<double>()},
          {"px", terms.px.item<double>()},
          {"ce", terms.ce.item<double>()},
          {"at", terms.at.item<double>()}};
}

const JobRegistrar kRegistrar("train.loss", "evaluate the distillation loss terms on tensors from a safetensors file", run_loss);

}  // namespace
}  // namespace rd::train
