#include "train/optimizer.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <cmath>

#include "job/spec.h"

namespace rd::train {

OptimizerSpec parse_optimizer(const nlohmann::json& spec) {
  OptimizerSpec o;
  const auto j = spec::get<nlohmann::json>(spec, "optimizer", nlohmann::json::object());
  o.name = spec::get<std::string>(j, "name", o.name);
  o.lr = spec::get<double>(j, "lr", o.lr);
  o.weight_decay = spec::get<double>(j, "weightDecay", o.weight_decay);
  o.momentum = spec::get<double>(j, "momentum", o.momentum);
  spec::check(o.name == "adam" || o.name == "adamw" || o.name == "sgd", "optimizer.name", "use adam, adamw or sgd");
  spec::check(o.lr > 0, "optimizer.lr", "must be > 0");
  spec::check(o.weight_decay >= 0, "optimizer.weightDecay", "must be >= 0");
  return o;
}

ScheduleSpec parse_schedule(const nlohmann::json& spec, int epochs) {
  ScheduleSpec s;
  const auto j = spec::get<nlohmann::json>(spec, "schedule", nlohmann::json::object());
  s.name = spec::get<std::string>(j, "name", s.name);
  s.gamma = spec::get<double>(j, "gamma", s.gamma);
  s.warmup_epochs = spec::get<double>(j, "warmupEpochs", s.warmup_epochs);
  s.epochs = epochs;
  spec::check(s.name == "constant" || s.name == "exponential" || s.name == "cosine", "schedule.name",
              "use constant, exponential or cosine");
  spec::check(s.gamma > 0 && s.gamma <= 1, "schedule.gamma", "must be in (0, 1]");
  spec::check(s.warmup_epochs >= 0 && s.warmup_epochs < epochs + 1e-9, "schedule.warmupEpochs", "must be in [0, epochs)");
  return s;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<at::Tensor>& params, const OptimizerSpec& o) {
  if (o.name == "adamw") {
    return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
  }
  if (o.name == "sgd") {
    return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

double lr_at(const ScheduleSpec& s, double base_lr, double epoch) {
  if (epoch < s.warmup_epochs) return base_lr * (epoch + 1e-3) / s.warmup_epochs;
  const double t = epoch - s.warmup_epochs, span = std::max(1e-9, s.epochs - s.warmup_epochs);
  if (s.name == "exponential") return base_lr * std::pow(s.gamma, std::floor(t));
  if (s.name == "cosine") return base_lr * 0.5 * (1 + std::cos(M_PI * std::min(1.0, t / span)));
  return base_lr;
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace rd::train
