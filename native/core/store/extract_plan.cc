#include "store/extract_plan.h"

#include <cmath>

#include "job/spec.h"
#include "store/crc32.h"
#include "store/external_test_set.h"
#include "store/parallel.h"
#include "store/splits.h"
#include "store/store_format.h"
#include "util/magnification.h"
#include "util/threads.h"

namespace rd::store {
namespace {

// The training pool's stain reference (docs/stain.md): at most 64 of its samples, evenly spaced in sample order, at
// the highest magnification, every k-th pixel of each.
image::StainReference fit_pool_stain(const Plan& plan, const std::string& method) {
  std::vector<size_t> pool;
  for (size_t i = 0; i < plan.split_of.size(); ++i) {
    if (plan.split_of[i] == "train" || plan.split_of[i] == "unlabeled") pool.push_back(i);
  }
  spec::check(!pool.empty(), "stain", "needs a training pool to fit on (the train and unlabeled splits are empty)");
  const size_t take = std::min<size_t>(64, pool.size());
  std::vector<std::vector<uint8_t>> parts(take);
  parallel_for(take, usable_cores(), [&](size_t j) {
    const Extracted x = plan.source->extract(pool[j * pool.size() / take], {plan.mpps[0]});
    const View& v = x.views.at(0);
    image::pool_pixels(v.pixels.data(), size_t(v.h * v.w), parts[j]);
  });
  std::vector<uint8_t> pixels;
  for (const auto& p : parts) pixels.insert(pixels.end(), p.begin(), p.end());
  return image::fit_stain(method, pixels, take);
}

}  // namespace

Plan make_plan(const nlohmann::json& spec) {
  Plan plan;
  spec::check(spec.contains("source") && spec["source"].is_object(), "source", "required object");
  plan.mags = spec::require<std::vector<double>>(spec, "magnifications");
  spec::check(!plan.mags.empty(), "magnifications", "must list at least one magnification");
  for (size_t i = 0; i < plan.mags.size(); ++i) {
    spec::check(plan.mags[i] > 0 && std::isfinite(plan.mags[i]), "magnifications." + std::to_string(i), "must be a positive number");
    spec::check(i == 0 || plan.mags[i] < plan.mags[i - 1], "magnifications." + std::to_string(i),
                "must be strictly decreasing (highest first)");
    plan.mpps.push_back(mpp_at(plan.mags[i]));
  }
  plan.per_shard = spec::get<size_t>(spec, "samplesPerShard", 32);
  spec::check(plan.per_shard >= 1 && plan.per_shard <= 100000, "samplesPerShard", "must be in 1..100000");
  // The fractions have no default here: the experiment config (src/config/schema.ts) owns them.
  const nlohmann::json sp = spec::require<nlohmann::json>(spec, "splits");
  spec::check(sp.is_object(), "splits", "must be an object { train, val, test, unlabeled?, seed? }");
  SplitSpec split{spec::get<uint64_t>(sp, "seed", 0), spec::require<double>(sp, "train"), spec::require<double>(sp, "val"),
                  spec::require<double>(sp, "test"), spec::get<double>(sp, "unlabeled", 0.0)};
  spec::check(split.unlabeled >= 0 && split.unlabeled < 1, "splits.unlabeled", "must be in [0, 1)");
  spec::check(split.train >= 0 && split.val >= 0 && split.test >= 0 && split.train + split.val + split.test > 0, "splits",
              "fractions must be non-negative and not all zero");

  plan.source = make_source(spec["source"], plan.mpps);
  spec::check(!plan.source->entries().empty(), "source", "lists no samples");
  size_t held_out = 0;  // trailing entries of an external test set
  if (spec.contains("testSource")) {
    spec::check(spec["testSource"].is_object(), "testSource", "must be a source object");
    auto test = make_source(spec["testSource"], plan.mpps);
    held_out = test->entries().size();
    spec::check(held_out > 0, "testSource", "lists no samples");
    spec::check(split.test == 0, "splits.test", "must be 0 with an external test set (data.test is the test split)");
    plan.source = with_external_test(std::move(plan.source), std::move(test));
  }
  const auto& entries = plan.source->entries();
  nlohmann::json splits = make_splits({entries.begin(), entries.end() - long(held_out)}, split);
  for (size_t i = entries.size() - held_out; i < entries.size(); ++i) splits["test"].push_back(i);

  plan.split_of.assign(entries.size(), "unlabeled");
  for (const char* s : {"train", "val", "test"}) {
    for (const auto& v : splits[s]) plan.split_of[v.get<size_t>()] = s;
  }
  // Absent or none: no stain normalisation, and the manifest (so the fingerprint) of every earlier store is unchanged.
  const std::string stain = spec::get<std::string>(spec, "stain", "none");
  spec::check(image::is_stain_method(stain), "stain", "must be none, macenko or reinhard");
  if (stain != "none") plan.stain = fit_pool_stain(plan, stain);

  nlohmann::json mags = nlohmann::json::array();
  for (size_t i = 0; i < plan.mags.size(); ++i) {
    mags.push_back({{"index", i}, {"name", "m" + std::to_string(i)}, {"magnification", plan.mags[i]}, {"mpp", plan.mpps[i]}});
  }
  nlohmann::json shards = nlohmann::json::array();
  for (size_t k = 0, first = 0; first < entries.size(); ++k, first += plan.per_shard) {
    shards.push_back({{"name", shard_name(k)},
                      {"index", index_name(k)},
                      {"first", first},
                      {"samples", std::min(plan.per_shard, entries.size() - first)}});
  }
  nlohmann::json m = {{"format", kFormat},         {"version", kVersion},
                      {"complete", false},         {"source", plan.source->describe()},
                      {"magnifications", mags},    {"classes", plan.source->classes()},
                      {"samples", entries.size()}, {"samplesPerShard", plan.per_shard},
                      {"shards", shards},          {"splits", splits}};
  if (plan.stain) m["stain"] = image::to_json(*plan.stain);
  const std::string body = m.dump();
  char fp[16];
  std::snprintf(fp, sizeof fp, "%08x", crc32(body.data(), body.size()));
  m["fingerprint"] = fp;
  plan.manifest = std::move(m);
  return plan;
}

nlohmann::json sample_record(const Plan& plan, size_t id, const nlohmann::json& provenance) {
  const SourceEntry& e = plan.source->entries()[id];
  const std::string& split = plan.split_of.at(id);
  return {{"key", sample_key(id)},
          {"label", e.label ? nlohmann::json(*e.label) : nlohmann::json(nullptr)},
          {"class", e.label ? nlohmann::json(plan.source->classes().at(size_t(*e.label))) : nlohmann::json(nullptr)},
          {"group", e.group},
          {"split", split},
          {"provenance", provenance}};
}

}  // namespace rd::store
