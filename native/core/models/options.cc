#include "models/options.h"

#include "job/spec.h"

namespace rd::models {

ModelSpec read_model(const nlohmann::json& spec, const std::string& field) {
  ModelSpec s;
  const nlohmann::json given = spec.contains(field) ? spec.at(field) : nlohmann::json::object();
  const nlohmann::json j = given.is_string() ? nlohmann::json{{"name", given}} : given;
  spec::check(j.is_object(), field, "must be a model name or an object { name, norm, widths, blocks, groups }");
  const std::string at = field + ".";
  s.name = spec::get<std::string>(j, "name", s.name);
  s.options.blocks = spec::get<std::vector<int64_t>>(j, "blocks", s.options.blocks);
  s.options.widths = spec::get<std::vector<int64_t>>(j, "widths", s.options.widths);
  s.options.groups = spec::get<int64_t>(j, "groups", s.options.groups);
  spec::check(s.options.groups >= 1, at + "groups", "must be >= 1");
  for (const int64_t w : s.options.widths) spec::check(w >= 1, at + "widths", "must be >= 1 each");
  for (const int64_t b : s.options.blocks) spec::check(b >= 1, at + "blocks", "must be >= 1 each");
  // GroupNorm for the paper net, BatchNorm for torchvision's ResNets, unless given.
  const bool torchvision = s.name.rfind("resnet", 0) == 0;
  s.options.norm = spec::get<std::string>(j, "norm", torchvision ? "batch" : "group");
  spec::check(s.options.norm == "group" || s.options.norm == "batch", at + "norm", "use group or batch");
  s.classes = spec::get<int64_t>(spec, "classes", s.classes);
  spec::check(s.classes >= 1, "classes", "must be >= 1");
  return s;
}

nlohmann::json ModelSpec::architecture() const {
  return {{"name", name}, {"norm", options.norm}, {"widths", options.widths}, {"blocks", options.blocks}, {"groups", options.groups}};
}

Model make(const ModelSpec& s) { return make(s.name, s.classes, s.options); }

}  // namespace rd::models
