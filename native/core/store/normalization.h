// The dataset's per-channel input statistics: mean and std of the training pool's pixels (train + unlabeled
// splits) at the highest magnification, scaled to [0, 1]. The authors normalise every view of a sample with one
// such pair per dataset (ResolutionDistillation main.py: {dataset}_image_stats.pickle; datasets/factory.py).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace rd::store {

class Store;

struct Normalization {
  float mean[3] = {0, 0, 0};
  float std[3] = {1, 1, 1};  // identity: what "none" means
};

// {"split": "train+unlabeled", "magnification": m0, "pixels": n, "mean": [r, g, b], "std": [r, g, b]}.
nlohmann::json compute_normalization(const Store& store);

// The manifest's statistics, computed from the store when an older store has none.
Normalization dataset_normalization(const Store& store);

}  // namespace rd::store
