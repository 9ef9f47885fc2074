// Optimisers (Adam, AdamW, SGD with momentum) and learning-rate schedules (constant, exponential, cosine, warm-up).
#pragma once
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rd::train {

struct OptimizerSpec {
  std::string name = "adam";  // the paper's
  double lr = 1e-3;
  double weight_decay = 1e-4;
  double momentum = 0.9;
};

struct ScheduleSpec {
  std::string name = "constant";
  double gamma = 0.95;       // exponential: lr * gamma^epoch
  double warmup_epochs = 0;  // linear warm-up from 0, then the schedule
  int epochs = 1;
};

OptimizerSpec parse_optimizer(const nlohmann::json& spec);            // spec.optimizer
ScheduleSpec parse_schedule(const nlohmann::json& spec, int epochs);  // spec.schedule
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<at::Tensor>& params, const OptimizerSpec& o);

// Learning rate at a fractional epoch (epoch + step/steps).
double lr_at(const ScheduleSpec& s, double base_lr, double epoch);
void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace rd::train
