// Build and runtime facts (doctor), thread control and the list of job kinds.
#include "common.h"
#include "job/job.h"
#include "util/memory_budget.h"
#include "util/threads.h"
#include "info/versions.h"

namespace rd::addon {
namespace {

/** versions(): sync. Returns a JSON string of libtorch/cuda/openslide/threads facts. */
Napi::Value Versions(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { return Napi::String::New(info.Env(), rd::versions().dump()); });
}

/** setThreads(n: number): sync. Sets LibTorch intra-op threads (<= 0: usable cores); returns the count now set. */
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  RD_REQUIRE_ARGS(info, 1, "setThreads(n: number)");
  RD_REQUIRE(info, info[0].IsNumber(), "setThreads: n must be a number");
  return guarded(info, [&] {
    rd::set_default_threads(info[0].As<Napi::Number>().Int32Value());
    return Napi::Number::New(info.Env(), rd::threads());
  });
}

/** memoryBudget(): sync. Returns the memory budget in bytes (RESDISTILL_MAX_MEMORY, else a share of physical memory);
 *  throws CONFIG_INVALID when RESDISTILL_MAX_MEMORY is not a size. */
Napi::Value MemoryBudget(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { return Napi::Number::New(info.Env(), double(rd::memory_budget())); });
}

/** jobKinds(): sync. Returns [{ kind, summary }] for every job the core knows. */
Napi::Value JobKinds(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    auto kinds = rd::job_kinds();
    Napi::Array out = Napi::Array::New(info.Env(), kinds.size());
    for (size_t i = 0; i < kinds.size(); ++i) {
      Napi::Object o = Napi::Object::New(info.Env());
      o.Set("kind", kinds[i].kind);
      o.Set("summary", kinds[i].summary);
      out.Set(i, o);
    }
    return out;
  });
}

const Register kRegister([](Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New(env, Versions, "versions"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("memoryBudget", Napi::Function::New(env, MemoryBudget, "memoryBudget"));
  exports.Set("jobKinds", Napi::Function::New(env, JobKinds, "jobKinds"));
  exports.Set("torchVersion", Napi::String::New(env, RESDISTILL_TORCH_VERSION));
});

}  // namespace
}  // namespace rd::addon
