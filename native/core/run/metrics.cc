#include "run/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "util/error.h"

namespace rd::run {
namespace {

int64_t argmax(const std::vector<double>& v) { return static_cast<int64_t>(std::max_element(v.begin(), v.end()) - v.begin()); }

// Mann-Whitney AUC of `scores` for positives, with average ranks for ties.
double binary_auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, pos = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double avg_rank = (double(i) + double(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) {
      if (positive[order[k]]) rank_sum += avg_rank, pos += 1;
    }
    i = j + 1;
  }
  const double neg = double(n) - pos;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

double macro_auc(const Predictions& p) {
  double sum = 0;
  int used = 0;
  for (int64_t c = 0; c < p.num_classes; ++c) {
    std::vector<double> scores(p.labels.size());
    std::vector<bool> positive(p.labels.size());
    for (size_t i = 0; i < p.labels.size(); ++i) scores[i] = p.probs[i][c], positive[i] = p.labels[i] == c;
    const double auc = binary_auc(scores, positive);
    if (!std::isnan(auc)) sum += auc, ++used;
  }
  return used ? sum / used : std::numeric_limits<double>::quiet_NaN();
}

Predictions subset(const Predictions& p, const std::vector<size_t>& idx) {
  Predictions out;
  out.num_classes = p.num_classes;
  for (size_t i : idx) out.labels.push_back(p.labels[i]), out.probs.push_back(p.probs[i]);
  return out;
}

nlohmann::json nan_to_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

template <typename Combine>
Predictions aggregate(const Predictions& p, Combine combine) {
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < p.groups.size(); ++i) members[p.groups[i]].push_back(i);
  Predictions out;
  out.num_classes = p.num_classes;
  for (const auto& [group, idx] : members) {
    std::vector<int64_t> votes(p.num_classes, 0);
    for (size_t i : idx) votes[p.labels[i]]++;
    out.labels.push_back(static_cast<int64_t>(std::max_element(votes.begin(), votes.end()) - votes.begin()));
    out.probs.push_back(combine(idx));
    out.groups.push_back(group);
  }
  return out;
}

}  // namespace

Summary summarize(const Predictions& p) {
  if (p.labels.empty()) throw Error(code::kConfigInvalid, "no samples to evaluate");
  const int64_t k = p.num_classes;
  Summary s;
  s.confusion.assign(k, std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < p.labels.size(); ++i) s.confusion[p.labels[i]][argmax(p.probs[i])]++;
  int64_t correct = 0, in_truth = 0, present = 0;
  s.precision.assign(k, 0), s.recall.assign(k, 0), s.f1.assign(k, 0), s.support.assign(k, 0);
  for (int64_t c = 0; c < k; ++c) {
    int64_t tp = s.confusion[c][c], predicted = 0, actual = 0;
    for (int64_t o = 0; o < k; ++o) predicted += s.confusion[o][c], actual += s.confusion[c][o];
    correct += tp;
    s.support[c] = actual;
    s.precision[c] = predicted ? double(tp) / predicted : 0.0;  // sklearn's zero_division=0
    s.recall[c] = actual ? double(tp) / actual : 0.0;
    const double pr = s.precision[c] + s.recall[c];
    s.f1[c] = pr > 0 ? 2 * s.precision[c] * s.recall[c] / pr : 0.0;
    if (actual) ++in_truth, s.balanced_accuracy += s.recall[c];
    // Macro averages over the classes in the truth or the predictions (sklearn's default labels), as src/stats does.
    if (actual || predicted) {
      ++present;
      s.macro_precision += s.precision[c], s.macro_recall += s.recall[c], s.macro_f1 += s.f1[c];
    }
  }
  s.accuracy = double(correct) / double(p.labels.size());
  s.balanced_accuracy /= std::max<int64_t>(in_truth, 1);
  s.macro_precision /= std::max<int64_t>(present, 1);
  s.macro_recall /= std::max<int64_t>(present, 1);
  s.macro_f1 /= std::max<int64_t>(present, 1);
  s.auc = macro_auc(p);
  return s;
}

nlohmann::json bootstrap_ci(const Predictions& p, int resamples, uint64_t seed) {
  // The independent unit is the group (patient or slide): a resample draws groups with all their samples; a
  // sample without a group is its own unit.
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < p.labels.size(); ++i) {
    const bool grouped = i < p.groups.size() && !p.groups[i].empty();
    members[grouped ? p.groups[i] : "#" + std::to_string(i)].push_back(i);
  }
  std::vector<const std::vector<size_t>*> units;
  for (const auto& [_, idx] : members) units.push_back(&idx);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, units.size() - 1);
  std::vector<double> acc, bal, f1, auc;
  std::vector<size_t> idx;
  for (int r = 0; r < resamples; ++r) {
    idx.clear();
    for (size_t u = 0; u < units.size(); ++u) {
      const auto& m = *units[pick(rng)];
      idx.insert(idx.end(), m.begin(), m.end());
    }
    const Summary s = summarize(subset(p, idx));
    acc.push_back(s.accuracy), bal.push_back(s.balanced_accuracy), f1.push_back(s.macro_f1);
    if (!std::isnan(s.auc)) auc.push_back(s.auc);
  }
  auto interval = [](std::vector<double> v) -> nlohmann::json {
    if (v.empty()) return nullptr;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))]; };
    return nlohmann::json::array({at(0.025), at(0.975)});
  };
  return {{"accuracy", interval(acc)}, {"balancedAccuracy", interval(bal)},
          {"macroF1", interval(f1)},   {"auc", interval(auc)},
          {"resamples", resamples},    {"level", 0.95},
          {"unit", "group"},           {"units", units.size()}};
}

Predictions aggregate_mean(const Predictions& p) {
  return aggregate(p, [&](const std::vector<size_t>& idx) {
    std::vector<double> mean(p.num_classes, 0.0);
    for (size_t i : idx) {
      for (int64_t c = 0; c < p.num_classes; ++c) mean[c] += p.probs[i][c] / double(idx.size());
    }
    return mean;
  });
}

Predictions aggregate_majority(const Predictions& p) {
  return aggregate(p, [&](const std::vector<size_t>& idx) {
    std::vector<double> share(p.num_classes, 0.0);
    for (size_t i : idx) share[argmax(p.probs[i])] += 1.0 / double(idx.size());
    return share;
  });
}

static nlohmann::json headline(const Summary& s) {
  return {{"accuracy", s.accuracy},        {"balancedAccuracy", s.balanced_accuracy},
          {"macroF1", s.macro_f1},         {"macroPrecision", s.macro_precision},
          {"macroRecall", s.macro_recall}, {"auc", nan_to_null(s.auc)}};
}

nlohmann::json report(const Predictions& p, const std::vector<std::string>& label_names, int resamples, uint64_t seed) {
  const Summary s = summarize(p);
  nlohmann::json out = headline(s);
  out["n"] = p.labels.size();
  out["labels"] = label_names;
  out["confusion"] = s.confusion;
  out["perClass"] = nlohmann::json::array();
  for (int64_t c = 0; c < p.num_classes; ++c) {
    out["perClass"].push_back({{"label", c < int64_t(label_names.size()) ? label_names[c] : std::to_string(c)},
                               {"precision", s.precision[c]},
                               {"recall", s.recall[c]},
                               {"f1", s.f1[c]},
                               {"support", s.support[c]}});
  }
  out["ci"] = bootstrap_ci(p, resamples, seed);
  std::map<std::string, int> sizes;
  for (const auto& g : p.groups) sizes[g]++;
  if (!p.groups.empty() && sizes.size() < p.groups.size()) {
    out["slide"] = {{"groups", sizes.size()},
                    {"mean", headline(summarize(aggregate_mean(p)))},
                    {"majority", headline(summarize(aggregate_majority(p)))}};
  }
  return out;
}

nlohmann::json samples_json(const Predictions& p) {
  nlohmann::json probs = nlohmann::json::array();
  for (const auto& row : p.probs) {
    nlohmann::json r = nlohmann::json::array();
    for (double v : row) r.push_back(std::round(v * 1e6) / 1e6);
    probs.push_back(std::move(r));
  }
  return {{"ids", p.ids}, {"groups", p.groups}, {"labels", p.labels}, {"probs", std::move(probs)}};
}

}  // namespace rd::run
