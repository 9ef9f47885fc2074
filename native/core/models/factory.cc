// The model factory: one place that maps a name to a constructor, so jobs and the cost model share the zoo.
#include "models/gn_resnet.h"
#include "models/model.h"
#include "models/resnet.h"
#include "util/error.h"

namespace rd::models {

std::vector<std::string> model_names() { return {"gn_resnet", "resnet18", "resnet34", "resnet50"}; }

Model make(const std::string& name, int64_t num_classes, const ModelOptions& options) {
  if (name == "gn_resnet") return std::make_shared<GnResNetImpl>(num_classes, options);
  if (name == "resnet18") return std::make_shared<TvResNetImpl>(18, num_classes, options);
  if (name == "resnet34") return std::make_shared<TvResNetImpl>(34, num_classes, options);
  if (name == "resnet50") return std::make_shared<TvResNetImpl>(50, num_classes, options);
  std::string known;
  for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error(code::kConfigInvalid, "unknown model '" + name + "' (known: " + known + ")");
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace rd::models
