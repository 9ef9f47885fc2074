#include "models/options.h"

#include "job/spec.h"

namespace rd::models {

ModelSpec read_model_fields(const nlohmann::json& spec, const std::string& name_key, const std::string& at) {
  ModelSpec s;
  s.name = spec::get<std::string>(spec, name_key, s.name);
  s.options.blocks = spec::get<std::vector<int64_t>>(spec, "blocks", s.options.blocks);
  s.options.widths = spec::get<std::vector<int64_t>>(spec, "widths", s.options.widths);
  s.options.groups = spec::get<int64_t>(spec, "groups", s.options.groups);
  spec::check(s.options.groups >= 1, at + "groups", "must be >= 1");
  const bool torchvision = s.name.rfind("resnet", 0) == 0;
  s.options.norm = spec::get<std::string>(spec, "norm", torchvision ? "batch" : "group");
  spec::check(s.options.norm == "group" || s.options.norm == "batch", at + "norm", "use group or batch");
  return s;
}

ModelSpec model_spec_from(const nlohmann::json& root, const std::string& key) {
  const nlohmann::json empty = nlohmann::json::object();
  const auto& spec = key.empty() ? root : (root.contains(key) ? root.at(key) : empty);
  const std::string at = key.empty() ? "" : key + ".";
  if (!spec.is_object()) throw Error(code::kConfigInvalid, "spec." + key + ": must be an object");
  ModelSpec s = read_model_fields(spec, "model", at);
  s.classes = spec::get<int64_t>(spec, "classes", s.classes);
  spec::check(s.classes >= 1, at + "classes", "must be >= 1");
  return s;
}

Model make(const ModelSpec& s) { return make(s.name, s.classes, s.options); }

}  // namespace rd::models
