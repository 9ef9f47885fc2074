// A run's view of a store (training and evaluation): its classes and magnifications, and loaders for a split at chosen magnifications.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/loader.h"
#include "store/normalization.h"

namespace rd::run {

struct StoreFacts {
  int64_t num_classes = 0;
  std::vector<std::string> label_names;
  std::vector<double> magnifications;  // highest first, as stored
};

StoreFacts store_facts(const std::string& store);

struct ViewRequest {
  std::string store;
  std::vector<double> magnifications;  // returned views, in this order
  std::string split = "train";         // train | val | test, "+unlabeled" joins the unlabeled pool
  int64_t batch_size = 16;
  std::string mode = "fixed";  // fixed tiles | exact pieces (batch 1) | bucket
  bool shuffle = true;
  nlohmann::json augment;  // null: off
  uint64_t seed = 0;
  double unlabeled_fraction = 1;              // share of the unlabeled pool ("+unlabeled")
  bool normalize = true;                      // the dataset's mean/std (store manifest); false: pixels in [0, 1]
  int rank = 0, world = 1;                    // data-parallel share: this rank's disjoint part of every epoch
  std::optional<store::Normalization> input;  // a described model's own mean/std, instead of `normalize`
};

// CONFIG_INVALID naming `field` when a magnification is not in the store.
std::unique_ptr<data::Loader> open_loader(const ViewRequest& request, const std::string& field = "magnification");

// spec.normalize: "dataset" (the store's mean/std, the default) or "none"; CONFIG_INVALID otherwise.
bool parse_normalize(const nlohmann::json& spec);

}  // namespace rd::run
