// Addon entry: each *_wrap.cc registers its own exports; this file only runs them.
#include "common.h"
#include "util/threads.h"

namespace rd::addon {

std::vector<Initializer>& initializers() {
  static std::vector<Initializer> list;
  return list;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const char* env_threads = std::getenv("RESDISTILL_THREADS");
  rd::set_default_threads(env_threads ? std::atoi(env_threads) : 0);
  for (auto& init : initializers()) init(env, exports);
  return exports;
}

}  // namespace rd::addon

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return rd::addon::Init(env, exports); }

NODE_API_MODULE(resdistill, InitModule)
