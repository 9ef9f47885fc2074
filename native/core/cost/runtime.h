// Where and how a measured run executes: device, threads, bf16 autocast, channels_last; plus a fair timer.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <functional>

#include "job/job.h"
#include "models/model.h"

namespace rd::cost {

struct Runtime {
  c10::Device device{c10::kCPU};
  bool bf16 = false;
  bool channels_last = false;
  int threads = 0;
};

// Reads device, threads, bf16 and channels_last from a spec and sets LibTorch's intra-op threads.
Runtime runtime_from(const nlohmann::json& spec);

// Describes the runtime for results: device, threads, bf16, channels_last.
nlohmann::json describe(const Runtime& rt);

// Moves the model to the device; with channels_last, 4-D parameters become NHWC.
void place(torch::nn::Module& model, const Runtime& rt);

// Moves an input to the device, NHWC when channels_last.
at::Tensor place(const at::Tensor& x, const Runtime& rt);

void synchronize(const Runtime& rt);

// Seconds per call of fn: `warmup` untimed calls, then `reps` timed ones; returns every timing (synchronised).
std::vector<double> time_calls(const std::function<void()>& fn, int warmup, int reps, const Runtime& rt, JobContext& ctx);

double median(std::vector<double> v);

}  // namespace rd::cost
