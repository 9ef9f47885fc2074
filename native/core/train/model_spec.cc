#include "train/model_spec.h"

#include "job/spec.h"

namespace rd::train {

ModelSpec parse_model(const nlohmann::json& spec, const std::string& field) {
  ModelSpec m;
  const auto j = spec::get<nlohmann::json>(spec, field, nlohmann::json::object());
  spec::check(j.is_object(), field, "must be an object");
  m.name = spec::get<std::string>(j, "name", m.name);
  // torchvision ResNets default to BatchNorm, the paper net to GroupNorm (as models/options.cc).
  m.options.norm = spec::get<std::string>(j, "norm", m.name.rfind("resnet", 0) == 0 ? "batch" : "group");
  m.options.widths = spec::get<std::vector<int64_t>>(j, "widths", m.options.widths);
  m.options.blocks = spec::get<std::vector<int64_t>>(j, "blocks", m.options.blocks);
  m.options.groups = spec::get<int64_t>(j, "groups", m.options.groups);
  spec::check(m.options.norm == "group" || m.options.norm == "batch", field + ".norm", "use group or batch");
  return m;
}

nlohmann::json ModelSpec::to_json() const {
  return {{"name", name}, {"norm", options.norm}, {"widths", options.widths}, {"blocks", options.blocks}, {"groups", options.groups}};
}

}  // namespace rd::train
