// The extraction plan: everything that fixes a store's bytes (source, magnifications, samples, shards, split),
// decided before any pixel is read. Parts, resumes and merges all agree on it through its fingerprint.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/stain.h"
#include "store/sample_source.h"

namespace rd::store {

struct Plan {
  std::unique_ptr<SampleSource> source;
  std::vector<double> mags, mpps;  // highest magnification first
  size_t per_shard = 32;
  nlohmann::json manifest;                     // the manifest before finalisation (complete: false)
  std::vector<std::string> split_of;           // per sample: train, val, test or unlabeled
  std::optional<image::StainReference> stain;  // spec.stain other than none: fitted on the training pool, applied to every view
  size_t shards() const { return manifest["shards"].size(); }
};

// Validates the spec (CONFIG_INVALID naming the field), lists the source, splits, and builds the manifest.
Plan make_plan(const nlohmann::json& spec);

// The sample's .json member: label, class name, group, split and provenance.
nlohmann::json sample_record(const Plan& plan, size_t id, const nlohmann::json& provenance);

}  // namespace rd::store
