// The one job contract: a kind, a JSON spec in; ordered JSON events and a JSON result out.
// The addon and the C++ driver both run jobs only through run_job().
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rd {

using Json = nlohmann::json;

class JobContext {
 public:
  using Emit = std::function<void(const Json&)>;
  JobContext(Emit emit, std::shared_ptr<std::atomic<bool>> cancel) : emit_(std::move(emit)), cancel_(std::move(cancel)) {}

  void emit(const Json& event) const {
    if (emit_) emit_(event);
  }
  bool cancelled() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }
  // Jobs call this once per batch, tile or step; it throws Error(CANCELLED).
  void check_cancelled() const;
  // The same cancellation without events: what a data-parallel rank other than 0 reports through.
  JobContext silenced() const { return JobContext(nullptr, cancel_); }

 private:
  Emit emit_;
  std::shared_ptr<std::atomic<bool>> cancel_;
};

using JobFn = std::function<Json(const Json& spec, JobContext& ctx)>;

struct JobInfo {
  std::string kind;
  std::string summary;
};

Json run_job(const std::string& kind, const Json& spec, JobContext& ctx);
std::vector<JobInfo> job_kinds();

// A file-scope JobRegistrar adds a job to the registry at load time, so new jobs need no central edit.
struct JobRegistrar {
  JobRegistrar(const std::string& kind, const std::string& summary, JobFn fn);
};

}  // namespace rd
