#include "cost/runtime.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "job/spec.h"
#include "models/memory_format.h"
#include "util/device.h"
#include "util/threads.h"

namespace rd::cost {

Runtime runtime_from(const nlohmann::json& spec) {
  Runtime rt;
  rt.device = parse_device(spec::get<std::string>(spec, "device", "cpu"));
  rt.bf16 = spec::get<bool>(spec, "bf16", false);
  rt.channels_last = spec::optional<bool>(spec, "channelsLast");
  rt.threads = spec::get<int>(spec, "threads", 0);
  spec::check(rt.threads >= 0, "threads", "must be >= 0 (0 = all usable cores)");
  set_threads(rt.threads);
  rt.threads = threads();
  return rt;
}

nlohmann::json describe(const Runtime& rt) {
  return {{"device", rt.device.str()},
          {"threads", rt.threads},
          {"bf16", rt.bf16},
          {"channelsLast", rt.channels_last ? nlohmann::json(*rt.channels_last) : nlohmann::json("auto")}};
}

bool Runtime::channels_last_for(bool training, int64_t height, int64_t width) const {
  return models::use_channels_last(channels_last, device, training, height, width);
}

void place(torch::nn::Module& model, const Runtime& rt, bool channels_last) {
  model.to(rt.device);
  models::to_memory_format(model, channels_last);
}

at::Tensor place(const at::Tensor& x, const Runtime& rt, bool channels_last) {
  return models::to_memory_format(x.to(rt.device), channels_last);
}

void synchronize(const Runtime& rt) {
  if (rt.device.is_cuda()) torch::cuda::synchronize(rt.device.index() < 0 ? -1 : rt.device.index());
}

std::vector<double> time_calls(const std::function<void()>& fn, int warmup, int reps, const Runtime& rt, JobContext& ctx) {
  for (int i = 0; i < warmup; ++i) fn();
  synchronize(rt);
  std::vector<double> out;
  for (int i = 0; i < reps; ++i) {
    ctx.check_cancelled();
    auto t0 = std::chrono::steady_clock::now();
    fn();
    synchronize(rt);
    out.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace rd::cost
