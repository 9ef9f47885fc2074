// "store.verify": checks the manifest, every shard's size and index, and every member's CRC-32 and .npy header.
// Lists all problems (never stops at the first); each names the shard and sample.
#include "job/job.h"
#include "job/spec.h"
#include "store/parallel.h"
#include "store/store_reader.h"
#include "util/threads.h"

namespace rd::store {
namespace {

Json run_verify(const Json& spec, JobContext& ctx) {
  const std::string dir = spec::require<std::string>(spec, "store");
  auto store = Store::open(dir);
  std::vector<std::string> problems = store->problems();
  const size_t n = store->size();
  std::vector<std::string> sample_problems(n);
  const size_t chunk = 32;
  for (size_t start = 0; start < n; start += chunk) {
    ctx.check_cancelled();
    const size_t end = std::min(n, start + chunk);
    parallel_for(end - start, usable_cores(), [&](size_t j) {
      const size_t i = start + j;
      const auto& s = store->sample(i);
      // Samples of a shard already reported as missing or truncated are covered by that shard's problem.
      if (s.views.empty()) return;
      sample_problems[i] = store->problem(i);
    });
    ctx.emit({{"type", "progress"}, {"done", end}, {"total", n}});
  }
  size_t bad = 0;
  for (auto& p : sample_problems) {
    if (!p.empty()) problems.push_back(std::move(p)), ++bad;
  }
  Json mags = Json::array();
  for (const auto& m : store->manifest()["magnifications"]) mags.push_back(m["magnification"]);
  return {{"ok", problems.empty()}, {"store", dir}, {"samples", n}, {"badSamples", bad}, {"magnifications", mags}, {"problems", problems}};
}

const JobRegistrar kRegistrar("store.verify", "check every shard, index and member checksum of a store", run_verify);

}  // namespace
}  // namespace rd::store
