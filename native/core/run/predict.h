// Runs a model over a BatchSource without gradients and collects softmax probabilities per sample.
#pragma once
#include <c10/core/Device.h>

#include "run/metrics.h"
#include "job/job.h"
#include "models/model.h"
#include "data/loader.h"

namespace rd::run {

struct PredictOptions {
  c10::Device device = c10::Device(c10::kCPU);
  bool bf16 = false;
  bool channels_last = false;
  size_t view = 0;  // which view of the batch to classify
};

// Also returns the mean cross-entropy over labelled samples in `loss` when not null.
Predictions predict(models::ModelImpl& model, data::Loader& source, int64_t num_classes, const PredictOptions& o, const JobContext& ctx,
                    double* loss = nullptr);

// Headline metrics of a prediction set plus the loss (what each epoch's validation reports).
Json quick_metrics(const Predictions& p, double loss);

}  // namespace rd::run
