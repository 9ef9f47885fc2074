#include "store/normalization.h"

#include <cmath>

#include "store/store_reader.h"
#include "util/error.h"

namespace rd::store {

nlohmann::json compute_normalization(const Store& store) {
  const auto& splits = store.manifest().at("splits");
  std::vector<size_t> ids;
  for (const char* name : {"train", "unlabeled"}) {
    if (splits.contains(name))
      for (const auto& v : splits[name]) ids.push_back(v.get<size_t>());
  }
  double sum[3] = {0, 0, 0}, sq[3] = {0, 0, 0};
  uint64_t pixels = 0;
  for (size_t i : ids) {
    store.check(i);
    const ViewRef v = store.view(i, 0);
    const int64_t n = v.h * v.w;
    for (int c = 0; c < 3; ++c) {
      uint64_t s = 0, s2 = 0;  // exact in integers, one channel at a time
      for (int64_t p = 0; p < n; ++p) {
        const uint64_t x = v.pixels[p * v.c + c];
        s += x, s2 += x * x;
      }
      sum[c] += double(s), sq[c] += double(s2);
    }
    pixels += uint64_t(n);
  }
  if (pixels == 0) throw Error(code::kConfigInvalid, "the store's training split is empty: no normalisation statistics");
  nlohmann::json mean = nlohmann::json::array(), std = nlohmann::json::array();
  for (int c = 0; c < 3; ++c) {
    const double m = sum[c] / double(pixels), var = std::max(0.0, sq[c] / double(pixels) - m * m);
    mean.push_back(m / 255.0);
    std.push_back(std::max(std::sqrt(var), 1e-3) / 255.0);  // a flat channel must not divide by zero
  }
  return {{"split", "train+unlabeled"},
          {"magnification", store.manifest().at("magnifications")[0].at("magnification")},
          {"pixels", pixels},
          {"mean", mean},
          {"std", std}};
}

Normalization dataset_normalization(const Store& store) {
  const nlohmann::json j = store.manifest().contains("normalization") ? store.manifest()["normalization"] : compute_normalization(store);
  Normalization n;
  for (int c = 0; c < 3; ++c) n.mean[c] = j.at("mean")[c].get<float>(), n.std[c] = j.at("std")[c].get<float>();
  return n;
}

}  // namespace rd::store
