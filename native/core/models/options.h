// Reads a model description from a job spec: { model, classes, blocks, widths, groups, norm }.
#pragma once
#include <nlohmann/json.hpp>

#include "models/model.h"

namespace rd::models {

struct ModelSpec {
  std::string name = "gn_resnet";
  int64_t classes = 3;
  ModelOptions options;
};

// Fields are read from `spec` directly (prefix "" ) or from spec[key] when `key` is given; errors name the path.
ModelSpec model_spec_from(const nlohmann::json& spec, const std::string& key = "");

Model make(const ModelSpec& s);

}  // namespace rd::models
