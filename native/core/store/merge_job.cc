// "store.merge": joins the stores written by `extract --part i/N` into one. Parts share the plan (same fingerprint),
// so the merged store is byte-identical to a single-machine extraction.
#include <filesystem>

#include "job/job.h"
#include "job/spec.h"
#include "store/atomic_file.h"
#include "store/store_format.h"
#include "store/store_lock.h"
#include "store/store_reader.h"
#include "util/error.h"

namespace rd::store {
namespace {

namespace fs = std::filesystem;

// Copies through a temp file, so an interrupted merge leaves nothing that reads as valid.
void copy_atomic(const std::string& from, const std::string& to) {
  if (fs::exists(to) && fs::equivalent(from, to)) return;
  std::string bytes = read_file(from);
  write_file_atomic(to, bytes);
}

Json run_merge(const Json& spec, JobContext& ctx) {
  const std::string out = spec::require<std::string>(spec, "out");
  const auto parts = spec::require<std::vector<std::string>>(spec, "parts");
  spec::check(!parts.empty(), "parts", "must list the part stores");
  std::vector<Json> manifests;
  std::vector<std::string> by_index(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    Json m = read_manifest(parts[p]);
    if (!m.contains("part"))
      throw Error(code::kConfigInvalid, "spec.parts." + std::to_string(p) + ": '" + parts[p] + "' is not a part store");
    const size_t idx = m["part"]["index"], count = m["part"]["count"];
    if (count != parts.size()) {
      throw Error(code::kConfigInvalid, "spec.parts: '" + parts[p] + "' is part of " + std::to_string(count) + " parts, but " +
                                            std::to_string(parts.size()) + " were given");
    }
    if (!manifests.empty() && m["fingerprint"] != manifests[0]["fingerprint"]) {
      throw Error(code::kConfigInvalid, "spec.parts." + std::to_string(p) + ": '" + parts[p] + "' comes from a different config");
    }
    if (!by_index[idx].empty()) throw Error(code::kConfigInvalid, "spec.parts: part " + std::to_string(idx) + " given twice");
    by_index[idx] = parts[p];
    manifests.push_back(std::move(m));
  }
  Json manifest = manifests[0];
  manifest.erase("part");
  const size_t n = manifest["shards"].size();
  std::vector<std::string> missing;
  for (size_t k = 0; k < n; ++k) {
    const std::string& src = by_index[k % parts.size()];
    if (!fs::exists(src + "/" + shard_name(k)) || !fs::exists(src + "/" + index_name(k))) missing.push_back(src + "/" + shard_name(k));
  }
  if (!missing.empty()) {
    std::string msg = std::to_string(missing.size()) + " shard(s) not finished; rerun those parts first:";
    for (const auto& m : missing) msg += "\n  - " + m;
    throw Error(code::kConfigInvalid, msg);
  }
  // Merging writes fresh checksums over what it copies, so every part shard is checked against its bytes first.
  std::vector<std::string> damaged;
  for (size_t p = 0; p < parts.size(); ++p) {
    auto part = Store::open(by_index[p]);
    for (size_t k = p; k < n; k += parts.size()) {
      const std::string why = part->shard_damage(uint32_t(k));
      if (!why.empty()) damaged.push_back(by_index[p] + ": " + why);
    }
  }
  if (!damaged.empty()) {
    std::string msg = std::to_string(damaged.size()) +
                      " part shard(s) are damaged; rerun `resdistill extract --part` for those parts (it extracts damaged shards again):";
    for (const auto& d : damaged) msg += "\n  - " + d;
    throw Error(code::kStoreCorrupt, msg);
  }
  fs::create_directories(out);
  StoreLock lock(out);
  for (size_t k = 0; k < n; ++k) {
    ctx.check_cancelled();
    const std::string& src = by_index[k % parts.size()];
    copy_atomic(src + "/" + index_name(k), out + "/" + index_name(k));
    copy_atomic(src + "/" + shard_name(k), out + "/" + shard_name(k));
    ctx.emit({{"type", "progress"}, {"done", k + 1}, {"total", n}});
  }
  finalize_manifest(out, manifest);
  return {{"out", out}, {"samples", manifest["samples"]}, {"shards", n}, {"parts", parts.size()}, {"complete", true}};
}

const JobRegistrar kRegistrar("store.merge", "join part stores from extract --part i/N into one store", run_merge);

}  // namespace
}  // namespace rd::store
