#include "train/store_views.h"

#include <cmath>

#include "store/normalization.h"
#include "store/store_format.h"
#include "util/error.h"

namespace rd::train {

StoreFacts store_facts(const std::string& store) {
  const auto manifest = store::read_manifest(store);
  StoreFacts f;
  f.label_names = manifest.at("classes").get<std::vector<std::string>>();
  f.num_classes = static_cast<int64_t>(f.label_names.size());
  for (const auto& m : manifest.at("magnifications")) f.magnifications.push_back(m.at("magnification").get<double>());
  if (f.num_classes < 2) throw Error(code::kConfigInvalid, "store " + store + " has fewer than 2 classes");
  return f;
}

std::unique_ptr<data::Loader> open_loader(const ViewRequest& r, const std::string& field) {
  const auto facts = store_facts(r.store);
  data::LoaderOptions o;
  o.store = r.store;
  o.split = r.split;
  o.batch_size = r.batch_size;
  o.mode = r.mode;
  o.shuffle = r.shuffle;
  o.seed = r.seed;
  o.unlabeled_fraction = r.unlabeled_fraction;
  o.augment = data::AugmentSpec::from_json(r.augment);
  if (r.normalize) {
    const auto n = store::dataset_normalization(r.store);
    std::copy(std::begin(n.mean), std::end(n.mean), std::begin(o.mean));
    std::copy(std::begin(n.std), std::end(n.std), std::begin(o.std));
  }
  for (double mag : r.magnifications) {
    int found = -1;
    for (size_t i = 0; i < facts.magnifications.size(); ++i) {
      if (std::abs(facts.magnifications[i] - mag) < 1e-6 * mag) found = int(i);
    }
    if (found < 0) {
      std::string have;
      for (double m : facts.magnifications) have += (have.empty() ? "" : ", ") + std::to_string(m);
      throw Error(code::kConfigInvalid, "spec." + field + ": magnification " + std::to_string(mag) + " is not in store " + r.store +
                                            " (it holds " + have + ")");
    }
    o.views.push_back(found);
  }
  return std::make_unique<data::Loader>(o);
}

}  // namespace rd::train
