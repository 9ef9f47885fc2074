// "bench.trainStep": the same work as ../shared/bench/peers/train_step.py, step for step, so a ratio is fair:
// the paper GN ResNet, Adam(1e-3, wd 1e-4), one supervised step at SIZE and one distillation step
// (frozen teacher at SIZE, student at SIZE/4, KD + MSE after adaptive max pool); 1 warm-up, mean of STEPS.
#include <torch/torch.h>

#include <numeric>

#include "cost/runtime.h"
#include "job/job.h"
#include "job/spec.h"
#include "models/autocast.h"
#include "models/options.h"
#include "train/losses.h"

namespace rd {
namespace {

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

Json run_train_step(const Json& spec, JobContext& ctx) {
  const auto size = spec::get<int64_t>(spec, "size", 224);
  const auto batch = spec::get<int64_t>(spec, "batchSize", 16);
  const auto steps = spec::get<int>(spec, "steps", 5);
  spec::check(size >= 4, "size", "must be >= 4");
  spec::check(batch >= 1, "batchSize", "must be >= 1");
  spec::check(steps >= 1, "steps", "must be >= 1");
  auto rt = cost::runtime_from(spec);
  const auto type = rt.device.type();
  torch::manual_seed(0);
  models::ModelSpec ms;  // the peer's Net(): classes 3, widths 32-64-128-256, one block per stage
  auto student = models::make(ms);
  auto teacher = models::make(ms);
  // Memory formats as the training jobs choose them: the student trains, the frozen teacher only runs forward.
  const bool nhwc = rt.channels_last_for(/*training=*/true, size, size);
  const bool teacher_nhwc = rt.channels_last_for(/*training=*/false, size, size);
  cost::place(*student, rt, nhwc);
  cost::place(*teacher, rt, teacher_nhwc);
  teacher->eval();
  for (auto& p : teacher->parameters()) p.set_requires_grad(false);
  torch::optim::Adam opt(student->parameters(), torch::optim::AdamOptions(1e-3).weight_decay(1e-4));
  auto x_hi = cost::place(torch::rand({batch, 3, size, size}), rt, nhwc);
  auto x_hi_teacher = cost::place(x_hi, rt, teacher_nhwc);
  auto x_lo = cost::place(torch::rand({batch, 3, size / 4, size / 4}), rt, nhwc);
  auto y = torch::randint(0, 3, {batch}, torch::kLong).to(rt.device);
  train::DistillLossOptions lo;

  auto supervised = [&] {
    opt.zero_grad();
    torch::Tensor loss;
    {
      models::AutocastGuard ac(type, rt.bf16);
      loss = torch::cross_entropy_loss(student->forward(x_hi).second, y);
    }
    loss.backward();
    opt.step();
  };
  auto distill = [&] {
    std::pair<torch::Tensor, torch::Tensor> t;
    {
      torch::NoGradGuard no_grad;
      models::AutocastGuard ac(type, rt.bf16);
      t = teacher->forward(x_hi_teacher);
    }
    opt.zero_grad();
    torch::Tensor loss;
    {
      models::AutocastGuard ac(type, rt.bf16);
      auto s = student->forward(x_lo);
      loss = train::distill_loss(s.first, s.second, t.first, t.second, {}, lo).total;
    }
    loss.backward();
    opt.step();
  };
  const double t_sup = mean(cost::time_calls(supervised, 1, steps, rt, ctx));
  const double t_kd = mean(cost::time_calls(distill, 1, steps, rt, ctx));
  Json out = cost::describe(rt);
  out.update({{"impl", "resdistill-libtorch"},
              {"torch", TORCH_VERSION},
              {"size", size},
              {"batchSize", batch},
              {"steps", steps},
              {"supervisedImagesPerSecond", batch / t_sup},
              {"distillImagesPerSecond", batch / t_kd},
              {"channelsLast", nhwc},
              {"teacherChannelsLast", teacher_nhwc}});
  return out;
}

const JobRegistrar kRegistrar("bench.trainStep", "one Adam step and one distillation step, as peers/train_step.py", run_train_step);

}  // namespace
}  // namespace rd
