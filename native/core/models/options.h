// The one model description every job reads: spec.model is a name ("gn_resnet") or
// { name, norm, widths, blocks, groups }; spec.classes sits beside it where no store gives the classes.
#pragma once
#include <nlohmann/json.hpp>

#include "models/model.h"

namespace rd::models {

struct ModelSpec {
  std::string name = "gn_resnet";
  int64_t classes = 3;
  ModelOptions options;
  // The architecture in the spec's words (no classes): what a result records and what two specs compare by.
  nlohmann::json architecture() const;
};

// Reads spec[field] (a name or an object) and spec.classes. Errors name `field` + the key.
ModelSpec read_model(const nlohmann::json& spec, const std::string& field = "model");

Model make(const ModelSpec& s);

}  // namespace rd::models
