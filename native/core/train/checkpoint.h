// Resumable training state (model, optimiser, epoch, best score, history), written atomically: temp file, then rename.
#pragma once
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <string>

#include <nlohmann/json.hpp>

namespace rd::train {

struct CheckpointMeta {
  int64_t epoch = 0;  // epochs completed
  double best_score = -1e300;
  int64_t best_epoch = -1;
  nlohmann::json history = nlohmann::json::array();
};

void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer, const CheckpointMeta& meta);
// Returns false when there is no checkpoint at `path`; throws STORE_CORRUPT-style IO_ERROR when it is unreadable.
bool load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer, CheckpointMeta& meta);

// Atomic small-file write used for JSON side files.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace rd::train
