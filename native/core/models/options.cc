#include "models/options.h"

#include "job/spec.h"

namespace rd::models {

ModelSpec model_spec_from(const nlohmann::json& root, const std::string& key) {
  const nlohmann::json empty = nlohmann::json::object();
  const auto& spec = key.empty() ? root : (root.contains(key) ? root.at(key) : empty);
  const std::string at = key.empty() ? "" : key + ".";
  if (!spec.is_object()) throw Error(code::kConfigInvalid, "spec." + key + ": must be an object");
  ModelSpec s;
  s.name = spec::get<std::string>(spec, "model", s.name);
  s.classes = spec::get<int64_t>(spec, "classes", s.classes);
  spec::check(s.classes >= 1, at + "classes", "must be >= 1");
  s.options.blocks = spec::get<std::vector<int64_t>>(spec, "blocks", s.options.blocks);
  s.options.widths = spec::get<std::vector<int64_t>>(spec, "widths", s.options.widths);
  s.options.groups = spec::get<int64_t>(spec, "groups", s.options.groups);
  spec::check(s.options.groups >= 1, at + "groups", "must be >= 1");
  // torchvision's ResNets default to BatchNorm in a spec; the paper net is GroupNorm only.
  const bool torchvision = s.name.rfind("resnet", 0) == 0;
  s.options.norm = spec::get<std::string>(spec, "norm", torchvision ? "batch" : "group");
  return s;
}

Model make(const ModelSpec& s) { return make(s.name, s.classes, s.options); }

}  // namespace rd::models
