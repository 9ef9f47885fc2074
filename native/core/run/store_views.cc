#include "run/store_views.h"

#include <algorithm>
#include <cmath>

#include "job/spec.h"
#include "store/store_format.h"
#include "util/error.h"
#include "util/memory_budget.h"
#include "util/magnification.h"

namespace rd::run {

StoreFacts store_facts(const std::string& store) {
  const auto manifest = store::read_manifest(store);
  StoreFacts f;
  f.label_names = manifest.at("classes").get<std::vector<std::string>>();
  f.num_classes = static_cast<int64_t>(f.label_names.size());
  for (const auto& m : manifest.at("magnifications")) f.magnifications.push_back(m.at("magnification").get<double>());
  if (f.num_classes < 2) throw Error(code::kConfigInvalid, "store " + store + " has fewer than 2 classes");
  return f;
}

namespace {

// A batch holds, per requested view, batch_size float copies of the largest stored view; the loader keeps
// `prefetch` batches ready beside the one in use and the one being filled. Checked before the first epoch.
void check_batch_memory(const data::Loader& loader, const data::LoaderOptions& o) {
  const auto& store = loader.store();
  double bytes = 0;
  for (int v : o.views) {
    double largest = 0;
    for (size_t i = 0; i < store.size(); ++i) {
      const auto& views = store.sample(i).views;
      if (size_t(v) < views.size())
        largest = std::max(largest, double(views[size_t(v)].h) * double(views[size_t(v)].w) * double(views[size_t(v)].c));
    }
    bytes += largest * 4;
  }
  const double batch = o.mode == "exact" ? 1 : double(o.batch_size);
  check_memory(bytes * batch * (std::max(0, o.prefetch) + 2),
               "batches of " + std::to_string(int64_t(batch)) + " samples from store " + o.store + " (largest stored views, as float)");
}

}  // namespace

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
  o.dataset_normalization = r.normalize && !r.input;
  if (r.input) {
    std::copy(std::begin(r.input->mean), std::end(r.input->mean), std::begin(o.mean));
    std::copy(std::begin(r.input->std), std::end(r.input->std), std::begin(o.std));
  }
  o.rank = r.rank;
  o.world = r.world;
  for (double mag : r.magnifications) {
    int found = -1;
    for (size_t i = 0; i < facts.magnifications.size(); ++i) {
      if (same_magnification(facts.magnifications[i], mag)) found = int(i);
    }
    if (found < 0) {
      std::string have;
      for (double m : facts.magnifications) have += (have.empty() ? "" : ", ") + std::to_string(m);
      throw Error(code::kConfigInvalid,
                  "spec." + field + ": magnification " + std::to_string(mag) + " is not in store " + r.store + " (it holds " + have + ")");
    }
    o.views.push_back(found);
  }
  auto loader = std::make_unique<data::Loader>(o);
  check_batch_memory(*loader, o);
  return loader;
}

bool parse_normalize(const nlohmann::json& spec) {
  const auto n = spec::get<std::string>(spec, "normalize", "dataset");
  spec::check(n == "dataset" || n == "none", "normalize", "use dataset or none");
  return n == "dataset";
}

}  // namespace rd::run
