// Opens a store split as a BatchSource for training or evaluation (the bridge from data/ to train/).
#pragma once
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/batch_source.h"

namespace rd::train {

struct SourceSpec {
  std::string store;
  std::vector<double> magnifications;  // views, in this order
  std::string split = "train";         // train | val | test
  bool include_unlabeled = false;      // add the store's unlabeled pool (label -1)
  int64_t batch_size = 16;
  bool shuffle = true;
  nlohmann::json augment;              // null: no augmentation
  uint64_t seed = 0;
  c10::Device device = c10::Device(c10::kCPU);
};

struct StoreFacts {
  int64_t num_classes = 0;
  std::vector<std::string> label_names;
  std::vector<double> magnifications;
};

StoreFacts store_facts(const std::string& store);
std::unique_ptr<BatchSource> open_source(const SourceSpec& spec);

}  // namespace rd::train
