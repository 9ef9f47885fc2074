// "bench.matmul": a timed square matrix multiply. doctor uses it to prove LibTorch runs, threads and all.
#include <torch/torch.h>

#include <chrono>

#include "job/job.h"
#include "job/spec.h"
#include "util/device.h"
#include "util/threads.h"

namespace rd {
namespace {

Json run_matmul(const Json& spec, JobContext& ctx) {
  const int n = spec::get<int>(spec, "n", 512);
  const int reps = spec::get<int>(spec, "reps", 10);
  spec::check(n > 0 && n <= 16384, "n", "must be in 1..16384");
  spec::check(reps > 0, "reps", "must be positive");
  const auto device = parse_device(spec::get<std::string>(spec, "device", "cpu"));

  torch::NoGradGuard no_grad;
  auto gen = torch::make_generator<at::CPUGeneratorImpl>(0);
  auto a = torch::rand({n, n}, gen).to(device);
  auto b = torch::rand({n, n}, gen).to(device);
  auto c = torch::mm(a, b);  // warm-up
  double seconds = 0;
  for (int i = 0; i < reps; ++i) {
    ctx.check_cancelled();
    auto t0 = std::chrono::steady_clock::now();
    c = torch::mm(a, b);
    if (device.is_cuda()) c.cpu();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ctx.emit({{"type", "progress"}, {"done", i + 1}, {"total", reps}});
  }
  const double flops = 2.0 * n * double(n) * n * reps;
  return {{"n", n},
          {"reps", reps},
          {"device", device.str()},
          {"threads", threads()},
          {"seconds", seconds},
          {"gflops", flops / seconds / 1e9},
          {"checksum", c.sum().item<double>()}};
}

const JobRegistrar kRegistrar("bench.matmul", "timed n x n matrix multiply (doctor's LibTorch check)", run_matmul);

}  // namespace
}  // namespace rd
