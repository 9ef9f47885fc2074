// The store's split: seeded, stratified by label, grouped (a slide or patient never spans two splits).
// Computed once at planning time from the sample list and stored in the manifest; readers never recompute it.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/sample_source.h"

namespace rd::store {

struct SplitSpec {
  uint64_t seed = 0;
  double train = 0, val = 0, test = 0;  // always given: the experiment config owns the defaults
  double unlabeled =
      0;  // share of the training groups whose labels are hidden (DiPalma et al. 2021: unlabeled images join the student's training)
};

// {"seed", "fractions", "train": [ids], "val", "test", "unlabeled"}: groups with no label form the unlabeled pool;
// a labeled group goes whole to one split, chosen per majority label to keep each class near the fractions.
nlohmann::json make_splits(const std::vector<SourceEntry>& entries, const SplitSpec& spec);

}  // namespace rd::store
