#include "store/splits.h"

#include <algorithm>
#include <map>
#include <random>

namespace rd::store {
namespace {

struct Group {
  std::vector<size_t> ids;
  std::map<int, size_t> label_counts;
};

// Fisher-Yates on mt19937_64, whose output the standard fixes: the same seed gives the same split everywhere.
template <typename T>
void seeded_shuffle(std::vector<T>& v, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

}  // namespace

nlohmann::json make_splits(const std::vector<SourceEntry>& entries, const SplitSpec& spec) {
  std::map<std::string, Group> groups;  // ordered by name: independent of listing order
  for (size_t i = 0; i < entries.size(); ++i) {
    Group& g = groups[entries[i].group];
    g.ids.push_back(i);
    if (entries[i].label) g.label_counts[*entries[i].label]++;
  }
  const char* names[3] = {"train", "val", "test"};
  // A labelled group may also go to the unlabeled pool (index 3): that share of the training fraction.
  const double frac[4] = {spec.train * (1 - spec.unlabeled), spec.val, spec.test, spec.train * spec.unlabeled};
  std::vector<size_t> out[4];  // train, val, test, unlabeled
  std::map<int, std::vector<const Group*>> by_label;
  for (const auto& [name, g] : groups) {
    if (g.label_counts.empty()) {
      out[3].insert(out[3].end(), g.ids.begin(), g.ids.end());
      continue;
    }
    auto major =
        std::max_element(g.label_counts.begin(), g.label_counts.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    by_label[major->first].push_back(&g);
  }
  for (auto& [label, list] : by_label) {
    seeded_shuffle(list, spec.seed * 1000003ULL + uint64_t(label));
    size_t total = 0;
    for (const Group* g : list) total += g->ids.size();
    double have[4] = {0, 0, 0, 0};
    for (const Group* g : list) {
      int best = 0;
      double best_deficit = -1e300;
      for (int s = 0; s < 4; ++s) {
        if (frac[s] <= 0) continue;
        double deficit = frac[s] * double(total) - have[s];
        if (deficit > best_deficit + 1e-9) best = s, best_deficit = deficit;
      }
      have[best] += double(g->ids.size());
      out[best].insert(out[best].end(), g->ids.begin(), g->ids.end());
    }
  }
  nlohmann::json j = {{"seed", spec.seed},
                      {"fractions", {{"train", spec.train}, {"val", spec.val}, {"test", spec.test}, {"unlabeled", spec.unlabeled}}}};
  for (int s = 0; s < 4; ++s) {
    std::sort(out[s].begin(), out[s].end());
    j[s < 3 ? names[s] : "unlabeled"] = out[s];
  }
  return j;
}

}  // namespace rd::store
