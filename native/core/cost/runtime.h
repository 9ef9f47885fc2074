// Where and how a measured run executes: device, threads, bf16 autocast, channels_last; plus a fair timer.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

#include "job/job.h"
#include "models/model.h"

namespace rd::cost {

struct Runtime {
  c10::Device device{c10::kCPU};
  bool bf16 = false;
  std::optional<bool> channels_last;  // forced by the spec; otherwise models::use_channels_last decides per size
  int threads = 0;
  bool channels_last_for(bool training, int64_t height, int64_t width) const;
};

// Reads device, threads, bf16 and channels_last from a spec and sets LibTorch's intra-op threads.
Runtime runtime_from(const nlohmann::json& spec);

// Describes the runtime for results: device, threads, bf16, channelsLast (true, false or "auto").
nlohmann::json describe(const Runtime& rt);

// Moves a model or an input to the device in the given memory format.
void place(torch::nn::Module& model, const Runtime& rt, bool channels_last);
at::Tensor place(const at::Tensor& x, const Runtime& rt, bool channels_last);

void synchronize(const Runtime& rt);

// Seconds per call of fn: `warmup` untimed calls, then `reps` timed ones; returns every timing (synchronised).
std::vector<double> time_calls(const std::function<void()>& fn, int warmup, int reps, const Runtime& rt, JobContext& ctx);

double median(std::vector<double> v);

}  // namespace rd::cost
