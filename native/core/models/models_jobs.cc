// "models.describe" and "models.export": the zoo's names, shapes and weights, for tests and Python interchange.
#include <torch/torch.h>

#include "job/job.h"
#include "job/spec.h"
#include "models/options.h"
#include "models/safetensors.h"

namespace rd::models {
namespace {

// Lists the state dict (name, shape) and parameter count, so tests can compare with PyTorch's modules.
Json describe(const Json& spec, JobContext&) {
  auto s = read_model(spec);
  auto model = make(s);
  Json tensors = Json::array();
  for (const auto& [name, t] : state_dict(*model)) tensors.push_back({{"name", name}, {"shape", t.sizes().vec()}});
  return {{"model", s.name}, {"classes", s.classes}, {"params", count_parameters(*model)}, {"tensors", tensors}};
}

// Builds (seeded) or loads a model, saves its weights, and optionally a probe: a seeded input and the eval-mode outputs.
Json export_weights(const Json& spec, JobContext& ctx) {
  auto s = read_model(spec);
  const auto seed = spec::get<int64_t>(spec, "seed", 0);
  torch::manual_seed(seed);
  auto model = make(s);
  const auto from = spec::get<std::string>(spec, "weights", "");
  if (!from.empty()) load_weights(*model, from);
  const auto out = spec::get<std::string>(spec, "path", "");
  if (!out.empty()) save_weights(*model, out, {{"model", s.name}, {"format", "pt"}});
  Json result = {{"model", s.name}, {"params", count_parameters(*model)}, {"path", out}};
  const auto probe_path = spec::get<std::string>(spec, "probePath", "");
  if (!probe_path.empty()) {
    ctx.check_cancelled();
    const auto shape = spec::get<std::vector<int64_t>>(spec, "probeShape", {2, 3, 64, 64});
    spec::check(shape.size() == 4, "probeShape", "must be [N, C, H, W]");
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(seed + 1);
    auto x = torch::rand(shape, gen);
    NamedTensors probe;
    {
      torch::NoGradGuard no_grad;
      model->eval();
      auto [f, z] = model->forward(x);
      probe = {{"input", x}, {"features", f}, {"logits", z}};
      result["featureShape"] = f.sizes().vec();
    }
    if (spec::get<bool>(spec, "probeGrads", false)) {
      // Gradients of mean CE (labels i % classes) in training mode, so Python can check our backward too.
      model->train();
      model->zero_grad();
      auto labels = torch::arange(shape[0], torch::kLong).remainder(s.classes);
      torch::cross_entropy_loss(model->forward(x).second, labels).backward();
      for (const auto& p : model->named_parameters()) probe.emplace_back("grad." + p.key(), p.value().grad());
    }
    save_safetensors(probe_path, probe);
    result["probePath"] = probe_path;
  }
  return result;
}

const JobRegistrar kDescribe("models.describe", "state-dict names, shapes and parameter count of a zoo model", describe);
const JobRegistrar kExport("models.export", "build or load a model, save safetensors weights and an optional probe", export_weights);

}  // namespace
}  // namespace rd::models
