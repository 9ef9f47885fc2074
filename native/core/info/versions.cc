#include "info/versions.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>

#include <mutex>
#include <set>

#if RESDISTILL_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif
#if RESDISTILL_HAS_OPENSLIDE
#include <openslide.h>
#endif

#include "train/distributed.h"
#include "util/error.h"
#include "util/threads.h"

namespace rd {

static nlohmann::json cuda_info() {
  nlohmann::json devices = nlohmann::json::array();
#if RESDISTILL_CUDA
  for (int i = 0; i < static_cast<int>(torch::cuda::device_count()); ++i) {
    devices.push_back(at::cuda::getDeviceProperties(i)->name);
  }
#endif
  return {{"compiled", at::hasCUDA()},
          {"available", torch::cuda::is_available()},
          {"cudnn", at::globalContext().hasCuDNN() ? nlohmann::json(at::detail::getCUDAHooks().versionCuDNN()) : nlohmann::json(nullptr)},
          {"devices", devices}};
}

// How many threads at::parallel_for really uses: 1 when the core was compiled without OpenMP although
// LibTorch's ATen expects it (its parallel_for is an inline pragma in our own code).
static int parallel_for_threads() {
  std::mutex m;
  std::set<int> seen;
  const int n = threads();
  at::parallel_for(0, n, 1, [&](int64_t, int64_t) {
    std::lock_guard<std::mutex> lock(m);
    seen.insert(at::get_thread_num());
  });
  return static_cast<int>(seen.size());
}

nlohmann::json versions() {
  nlohmann::json out = {
      {"libtorch", {{"version", RESDISTILL_TORCH_VERSION}, {"cuda", cuda_info()}}},
      {"threads", threads()},
      {"usableCores", usable_cores()},
      {"parallelForThreads", parallel_for_threads()},
      {"distributed", train::distributed_backends()},  // c10d backends this build can train with
      {"errorCodes", std::vector<std::string>(std::begin(code::all), std::end(code::all))},
  };
#if RESDISTILL_HAS_OPENSLIDE
  out["openslide"] = openslide_get_version();
#else
  out["openslide"] = nullptr;
#endif
  return out;
}

}  // namespace rd
