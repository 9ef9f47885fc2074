// Reads `spec.<field>` = { name, norm?, widths?, blocks?, groups? } and builds the zoo model.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "models/model.h"

namespace rd::train {

struct ModelSpec {
  std::string name = "gn_resnet";
  models::ModelOptions options;
  nlohmann::json to_json() const;
};

ModelSpec parse_model(const nlohmann::json& spec, const std::string& field = "model");

}  // namespace rd::train
