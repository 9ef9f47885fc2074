#include "train/model_spec.h"

#include "job/spec.h"
#include "models/options.h"

namespace rd::train {

ModelSpec parse_model(const nlohmann::json& spec, const std::string& field) {
  const auto j = spec::get<nlohmann::json>(spec, field, nlohmann::json::object());
  spec::check(j.is_object(), field, "must be an object");
  const models::ModelSpec fields = models::read_model_fields(j, "name", field + ".");
  ModelSpec m;
  m.name = fields.name;
  m.options = fields.options;
  return m;
}

nlohmann::json ModelSpec::to_json() const {
  return {{"name", name}, {"norm", options.norm}, {"widths", options.widths}, {"blocks", options.blocks}, {"groups", options.groups}};
}

}  // namespace rd::train
