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

// The architecture fields of one JSON object: the name (under `name_key`), norm (BatchNorm for torchvision's
// ResNets, GroupNorm for the paper net unless given), widths, blocks, groups. Errors name `at` + the field.
ModelSpec read_model_fields(const nlohmann::json& object, const std::string& name_key, const std::string& at);

// The flat form of the cost and model jobs: { model, classes, blocks, widths, groups, norm } read from `spec`
// directly, or from spec[key] when `key` is given. (Training jobs nest it: { model: { name, ... } }.)
ModelSpec model_spec_from(const nlohmann::json& spec, const std::string& key = "");

Model make(const ModelSpec& s);

}  // namespace rd::models
