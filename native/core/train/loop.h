// The one training loop behind teacher, baseline and distillation jobs: epochs, gradient accumulation,
// clipping, schedules, per-epoch validation, best-checkpoint selection, atomic resumable checkpoints,
// LOSS_NOT_FINITE, cancellation and progress events.
#pragma once
#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <string>

#include "job/job.h"
#include "data/loader.h"
#include "train/optimizer.h"

namespace rd::train {
class Group;
}

namespace rd::train {

// The checkpoint a run keeps (the epoch its validation metric liked best); src/experiment/layout.ts says the same
// (checked by test/native/defaults-agree.test.ts).
inline constexpr const char* kBestCheckpoint = "best.safetensors";

struct LoopSpec {
  int epochs = 100;  // the authors' config.py
  int64_t accumulate = 1;
  double clip_grad_norm = 0;  // 0: off
  OptimizerSpec optimizer;
  ScheduleSpec schedule;
  std::string out_dir;
  bool resume = true;
  std::string select_by = "accuracy";                   // or balancedAccuracy, macroF1, loss; distillLoss (students: label-free)
  std::map<std::string, std::string> weights_metadata;  // stamped into best/final safetensors (train/run_weights.h)
};

struct StepResult {
  at::Tensor total;                         // differentiable loss
  std::map<std::string, at::Tensor> terms;  // reported terms (ce / kd / px)
};

using StepFn = std::function<StepResult(const data::Batch&)>;
using ValidateFn = std::function<Json()>;  // metrics on the validation split (accuracy, ..., loss)

LoopSpec parse_loop(const Json& spec);

// Runs (or resumes) training; returns { bestEpoch, bestCheckpoint, final, history }.
// With a `group` (distributed.h) this is one data-parallel rank: rank 0's weights are broadcast, losses and
// gradients averaged over ranks, every rank validates, and only rank 0 writes files.
Json train_loop(torch::nn::Module& model, data::Loader& source, const LoopSpec& spec, const StepFn& step, const ValidateFn& validate,
                JobContext& ctx, Group* group = nullptr);

}  // namespace rd::train
