// "store.extract": plan, then write every (or this part's) shard; resumable at any point.
// A shard is committed by renaming its tar last, so a shard under its final name is complete; a rerun skips
// committed shards and rewrites the rest. Shard contents depend only on the plan: reruns are byte-identical.
#include <filesystem>

#include "job/job.h"
#include "job/spec.h"
#include "store/atomic_file.h"
#include "store/extract_plan.h"
#include "store/npy.h"
#include "store/parallel.h"
#include "store/store_format.h"
#include "store/store_lock.h"
#include "store/store_reader.h"
#include "store/tar_writer.h"
#include "util/error.h"
#include "util/threads.h"

namespace rd::store {
namespace {

namespace fs = std::filesystem;

// Reads the shard's samples in parallel, then writes its index and tar (tar renamed last: the commit point).
void write_shard(const Plan& plan, const std::string& out, size_t k, int threads, JobContext& ctx) {
  const auto& entry = plan.manifest["shards"][k];
  const size_t first = entry["first"], count = entry["samples"];
  std::vector<Extracted> got(count);
  parallel_for(count, threads, [&](size_t j) {
    ctx.check_cancelled();
    got[j] = plan.source->extract(first + j, plan.mpps);
    if (got[j].views.size() != plan.mpps.size()) throw Error(code::kInternal, "source returned the wrong number of views");
    if (plan.stain) {  // each view from its own pixels, as predict does each tile; false: too little tissue, left as read
      auto& normalised = got[j].provenance["stainNormalized"] = nlohmann::json::array();
      for (View& v : got[j].views) normalised.push_back(image::normalize_stain(*plan.stain, v.pixels.data(), size_t(v.h * v.w)));
    }
  });
  TarWriter tar(out + "/" + shard_name(k));
  nlohmann::json samples = nlohmann::json::array();
  for (size_t j = 0; j < count; ++j) {
    const size_t id = first + j;
    const SourceEntry& e = plan.source->entries()[id];
    const std::string json = sample_record(plan, id, got[j].provenance).dump(1);
    auto rec = [](const MemberRecord& r) {
      return nlohmann::json{{"name", r.name}, {"offset", r.offset}, {"size", r.size}, {"crc32", r.crc32}};
    };
    nlohmann::json s = {{"key", sample_key(id)},
                        {"label", e.label ? nlohmann::json(*e.label) : nlohmann::json(nullptr)},
                        {"group", e.group},
                        {"json", rec(tar.add(sample_key(id) + ".json", {json}))},
                        {"views", nlohmann::json::array()}};
    for (size_t m = 0; m < got[j].views.size(); ++m) {
      const View& v = got[j].views[m];
      const std::string header = npy_header({v.h, v.w, v.c});
      auto r = rec(tar.add(view_member(id, m), {header, {reinterpret_cast<const char*>(v.pixels.data()), v.pixels.size()}}));
      r["shape"] = {v.h, v.w, v.c};
      s["views"].push_back(r);
    }
    samples.push_back(std::move(s));
    got[j] = Extracted{};  // release pixels early
  }
  const nlohmann::json index = {{"shard", shard_name(k)}, {"samples", samples}};
  write_file_atomic(out + "/" + index_name(k), index.dump() + "\n");
  tar.finish();
}

Json run_extract(const Json& spec, JobContext& ctx) {
  const std::string out = spec::require<std::string>(spec, "out");
  spec::check(!out.empty(), "out", "must be a folder path");
  const int threads = spec::get<int>(spec, "threads", 0) > 0 ? spec["threads"].get<int>() : usable_cores();
  const Json part = spec.value("part", Json(nullptr));
  size_t part_index = 0, part_count = 1;
  if (!part.is_null()) {
    part_index = part.value("index", size_t(0)), part_count = part.value("count", size_t(1));
    spec::check(part_count >= 1 && part_index < part_count, "part", "needs 0 <= index < count");
  }
  Plan plan = make_plan(spec);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw_errno("cannot create store folder", out, ec.value());
  StoreLock lock(out);
  Json manifest = plan.manifest;
  if (part_count > 1) manifest["part"] = {{"index", part_index}, {"count", part_count}};
  if (fs::exists(out + "/" + kManifest)) {
    Json old = read_manifest(out);
    if (old.value("fingerprint", "") != manifest["fingerprint"] || old.value("part", Json()) != manifest.value("part", Json())) {
      throw Error(code::kConfigInvalid, "spec.out: '" + out +
                                            "' already holds a store from a different config or part; "
                                            "rerun with the same config to resume, or choose another --out");
    }
  } else {
    write_file_atomic(out + "/" + kManifest, manifest.dump(1) + "\n");
  }
  for (const auto& f : fs::directory_iterator(out)) {  // leftovers of a killed run are never valid
    if (f.path().extension() == ".tmp") fs::remove(f.path(), ec);
  }
  const size_t total_shards = plan.shards();
  size_t total = 0, done = 0, written = 0, skipped = 0;
  std::vector<size_t> mine;
  for (size_t k = part_index; k < total_shards; k += part_count) {
    mine.push_back(k);
    total += plan.manifest["shards"][k]["samples"].get<size_t>();
  }
  auto progress = [&](size_t k) {
    ctx.emit({{"type", "progress"},
              {"done", done},
              {"total", total},
              {"shard", shard_name(k)},
              {"shardsWritten", written},
              {"shardsSkipped", skipped}});
  };
  ctx.emit({{"type", "plan"},
            {"samples", plan.source->entries().size()},
            {"shards", total_shards},
            {"partShards", mine.size()},
            {"total", total}});
  // Finished shards are trusted only after their index and every checksum are checked against the bytes:
  // a truncated or damaged one is removed and extracted again (the plan gives the same bytes).
  std::shared_ptr<Store> existing;
  size_t repaired = 0;
  for (size_t k : mine) {
    ctx.check_cancelled();
    bool have = fs::exists(out + "/" + shard_name(k)) && fs::exists(out + "/" + index_name(k));
    if (have) {
      if (!existing) existing = Store::open(out);
      const std::string damage = existing->shard_damage(uint32_t(k));
      if (!damage.empty()) {
        ctx.emit({{"type", "warning"}, {"message", damage + "; extracting it again"}});
        fs::remove(out + "/" + shard_name(k), ec);
        fs::remove(out + "/" + index_name(k), ec);
        have = false;
        ++repaired;
      }
    }
    if (have) {
      ++skipped;
    } else {
      write_shard(plan, out, k, threads, ctx);
      ++written;
    }
    done += plan.manifest["shards"][k]["samples"].get<size_t>();
    progress(k);
  }
  bool complete = false;
  if (part_count == 1) {
    finalize_manifest(out, plan.manifest);
    complete = true;
  }
  return {{"out", out},
          {"samples", plan.source->entries().size()},
          {"partSamples", total},
          {"shards", total_shards},
          {"shardsWritten", written},
          {"shardsSkipped", skipped},
          {"shardsRepaired", repaired},
          {"magnifications", plan.mags},
          {"classes", plan.source->classes()},
          {"threads", threads},
          {"complete", complete},
          {"part", part_count > 1 ? Json{{"index", part_index}, {"count", part_count}} : Json(nullptr)}};
}

const JobRegistrar kRegistrar("store.extract", "extract a multi-resolution store (resumable; --part i/N)", run_extract);

}  // namespace
}  // namespace rd::store
