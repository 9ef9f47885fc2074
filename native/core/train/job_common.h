// What the teacher/baseline and distillation jobs share: per-epoch validation and the result's description.
#pragma once
#include "data/loader.h"
#include "job/job.h"
#include "models/model.h"
#include "train/loop.h"
#include "train/run_config.h"
#include "run/model_config.h"
#include "run/store_views.h"

namespace rd::train {

// Validation of `model` on `val` at the run's device and precision: accuracy, balanced accuracy, macro F1, AUC, loss.
ValidateFn validator(models::ModelImpl& model, data::Loader& val, const RunSpec& r, const run::StoreFacts& facts, JobContext& ctx);

// Adds the model, classes, magnification and the input statistics `train` applied to a train_loop result.
Json describe_run(Json result, const RunSpec& r, const run::StoreFacts& facts, const data::Loader& train);

}  // namespace rd::train
