#include "job/job.h"

#include <map>

#include "util/allocator.h"
#include "util/error.h"

namespace rd {

namespace {
struct Entry {
  std::string summary;
  JobFn fn;
};
// Function-local static: safe against static-initialisation order across translation units.
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> jobs;
  return jobs;
}
}  // namespace

void JobContext::check_cancelled() const {
  if (cancelled()) throw Error(code::kCancelled, "job cancelled");
}

JobRegistrar::JobRegistrar(const std::string& kind, const std::string& summary, JobFn fn) {
  registry()[kind] = Entry{summary, std::move(fn)};
}

Json run_job(const std::string& kind, const Json& spec, JobContext& ctx) {
  auto it = registry().find(kind);
  if (it == registry().end()) {
    std::string known;
    for (const auto& [name, _] : registry()) known += (known.empty() ? "" : ", ") + name;
    throw Error(code::kConfigInvalid, "unknown job kind '" + kind + "' (known: " + known + ")");
  }
  if (!spec.is_object()) throw Error(code::kConfigInvalid, "job spec must be a JSON object");
  ctx.check_cancelled();
  keep_freed_memory();
  struct Release {
    ~Release() { release_freed_memory(); }
  } release;
  return it->second.fn(spec, ctx);
}

std::vector<JobInfo> job_kinds() {
  std::vector<JobInfo> out;
  for (const auto& [kind, entry] : registry()) out.push_back({kind, entry.summary});
  return out;
}

}  // namespace rd
