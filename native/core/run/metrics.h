// Classification metrics: accuracy, balanced accuracy, macro and per-class P/R/F1,
// one-vs-rest AUC, confusion matrix, seeded bootstrap CIs and slide-level aggregation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rd::run {

struct Predictions {
  std::vector<int64_t> labels;             // true class per sample
  std::vector<std::vector<double>> probs;  // per sample, one probability per class
  std::vector<std::string> groups;         // slide/patient id per sample (may be empty)
  std::vector<int64_t> ids;                // store sample id per sample (may be empty)
  int64_t num_classes = 0;
};

struct Summary {
  double accuracy = 0, balanced_accuracy = 0, macro_precision = 0, macro_recall = 0, macro_f1 = 0, auc = 0;
  std::vector<double> precision, recall, f1;
  std::vector<int64_t> support;
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted]
};

// Metrics on one set of predictions (AUC is NaN when no class has both positives and negatives).
Summary summarize(const Predictions& p);

// Percentile 95% CIs over `resamples` seeded group-bootstrap resamples (groups drawn with all their samples), for
// accuracy, balanced accuracy, macro F1, AUC: one run's own interval (the report adds the seeds' spread).
nlohmann::json bootstrap_ci(const Predictions& p, int resamples, uint64_t seed);

// One prediction per group: mean probability, and majority vote of sample predictions.
Predictions aggregate_mean(const Predictions& p);
Predictions aggregate_majority(const Predictions& p);

// The JSON shape of the "eval" job's result (EvalResult in src/native/jobs.ts): metrics, perClass, confusion, ci, and slide-level metrics
// when groups repeat.
nlohmann::json report(const Predictions& p, const std::vector<std::string>& label_names, int resamples, uint64_t seed);

// Every prediction, for statistics across runs (paired, grouped, pooled over seeds):
// {"ids": [...], "groups": [...], "labels": [...], "probs": [[...], ...]} with probabilities rounded to 1e-6.
nlohmann::json samples_json(const Predictions& p);

}  // namespace rd::run
