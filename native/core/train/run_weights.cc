#include "train/run_weights.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "image/stain.h"
#include "job/spec.h"
#include "models/weights_metadata.h"
#include "util/error.h"
#include "util/magnification.h"

namespace rd::train {
namespace {

// A run started without an identity (the C++ driver) still gets a stable one: FNV-1a 64 of its spec's text, output
// paths left out (as the planner's run keys), so the same run written elsewhere carries the same bytes; and how it
// was launched (spec.distributed: this rank, the rendezvous address) too, so every rank and launcher agree.
std::string spec_hash(Json spec) {
  spec.erase("out");
  spec.erase("resume");
  spec.erase("distributed");
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : spec.dump()) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, h);
  return hex;
}

// The stored view's microns per pixel at `magnification` (the store records the effective one).
double stored_mpp(const store::Store& store, double magnification) {
  for (const auto& m : store.manifest().at("magnifications")) {
    if (same_magnification(m.at("magnification").get<double>(), magnification) && m.contains("mpp")) return m.at("mpp").get<double>();
  }
  return mpp_at(magnification);
}

}  // namespace

std::map<std::string, std::string> run_weights_metadata(const Json& spec, const RunSpec& r, const run::StoreFacts& facts,
                                                        const data::Loader& train, const std::string& method) {
  const Json caller = spec::get<Json>(spec, "weights", Json::object());
  spec::check(caller.is_object(), "weights", "must be an object");
  models::WeightsMetadata w;
  w.model = r.model;
  w.model.classes = facts.num_classes;
  w.classes = facts.label_names;
  w.magnification = r.magnification;
  w.mpp = stored_mpp(train.store(), r.magnification);
  w.unit = spec::get<std::string>(caller, "unit", r.mode == "fixed" ? "tiles" : "pieces");
  spec::check(w.unit == "tiles" || w.unit == "pieces", "weights.unit", "use tiles or pieces");
  w.max_size_um = spec::get<double>(caller, "maxSizeUm", 0);
  if (w.unit == "tiles" && train.store().size() > 0 && !train.views().empty()) {
    const auto& view = train.store().sample(0).views.at(size_t(train.views()[0]));
    w.input_size = std::array<int64_t, 2>{view.h, view.w};
  }
  const auto& o = train.options();
  w.normalize = r.normalize ? "dataset" : "none";
  for (int c = 0; c < 3; ++c) w.mean[size_t(c)] = o.mean[c], w.std[size_t(c)] = o.std[c];
  if (train.store().manifest().contains("stain"))
    w.stain = image::stain_from_json(train.store().manifest()["stain"], "the store manifest's stain", code::kStoreCorrupt);
  w.method = spec::get<std::string>(caller, "method", method);
  w.run_id = spec::get<std::string>(caller, "runId", spec_hash(spec));
  w.synthetic = spec::get<bool>(caller, "synthetic", false);
  if (spec.contains("teacher") && spec["teacher"].is_object())
    w.teacher_magnification = spec::get<double>(spec["teacher"], "magnification", 0);
  return models::to_metadata(w);
}

}  // namespace rd::train
