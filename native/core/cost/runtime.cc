#include "cost/runtime.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "job/spec.h"
#include "util/device.h"
#include "util/threads.h"

namespace rd::cost {

Runtime runtime_from(const nlohmann::json& spec) {
  Runtime rt;
  rt.device = parse_device(spec::get<std::string>(spec, "device", "cpu"));
  rt.bf16 = spec::get<bool>(spec, "bf16", false);
  rt.channels_last = spec::get<bool>(spec, "channelsLast", false);
  rt.threads = spec::get<int>(spec, "threads", 0);
  spec::check(rt.threads >= 0, "threads", "must be >= 0 (0 = all usable cores)");
  set_threads(rt.threads);
  rt.threads = threads();
  return rt;
}

nlohmann::json describe(const Runtime& rt) {
  return {{"device", rt.device.str()}, {"threads", rt.threads}, {"bf16", rt.bf16}, {"channelsLast", rt.channels_last}};
}

void place(torch::nn::Module& model, const Runtime& rt) {
  model.to(rt.device);
  if (!rt.channels_last) return;
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

at::Tensor place(const at::Tensor& x, const Runtime& rt) {
  auto y = x.to(rt.device);
  return rt.channels_last ? y.contiguous(at::MemoryFormat::ChannelsLast) : y;
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
