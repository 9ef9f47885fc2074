// "cost.measure": measured forward and training throughput / latency of a zoo model at given input sizes,
// on CPU (threads named) or CUDA, with optional bf16 autocast and channels_last.
#include <torch/torch.h>

#include "cost/runtime.h"
#include "job/job.h"
#include "job/spec.h"
#include "models/autocast.h"
#include "models/batch_parallel.h"
#include "models/options.h"

namespace rd::cost {
namespace {

Json measure_one(models::ModelImpl& model, torch::optim::Optimizer& opt, int64_t h, int64_t w, int64_t batch, int warmup, int reps,
                 bool train, const Runtime& rt, JobContext& ctx, int64_t classes) {
  auto gen = torch::make_generator<at::CPUGeneratorImpl>(0);
  const auto input = torch::rand({batch, 3, h, w}, gen);
  auto y = torch::randint(classes, {batch}, gen, torch::kLong).to(rt.device);
  const auto type = rt.device.type();
  const bool forward_nhwc = rt.channels_last_for(/*training=*/false, h, w);
  place(model, rt, forward_nhwc);
  auto x = place(input, rt, forward_nhwc);
  model.eval();
  bool batch_parallel = false;
  auto fwd = time_calls(
      [&] {
        torch::NoGradGuard no_grad;
        models::AutocastGuard ac(type, rt.bf16);
        batch_parallel = models::splits_batch(model, x);
        models::forward(model, x);
      },
      warmup, reps, rt, ctx);
  Json row = {{"height", h},
              {"width", w},
              {"batchSize", batch},
              {"forwardLatencyMs", 1e3 * median(fwd)},
              {"forwardImagesPerSecond", batch / median(fwd)},
              {"channelsLast", forward_nhwc},
              {"batchParallel", batch_parallel}};
  if (train) {
    const bool train_nhwc = rt.channels_last_for(/*training=*/true, h, w);
    place(model, rt, train_nhwc);
    x = place(input, rt, train_nhwc);
    row["trainChannelsLast"] = train_nhwc;
    model.train();
    auto step = time_calls(
        [&] {
          opt.zero_grad();
          torch::Tensor loss;
          {
            models::AutocastGuard ac(type, rt.bf16);
            loss = torch::cross_entropy_loss(model.forward(x).second.to(torch::kFloat), y);
          }
          loss.backward();
          opt.step();
        },
        warmup, reps, rt, ctx);
    row["trainLatencyMs"] = 1e3 * median(step);
    row["trainImagesPerSecond"] = batch / median(step);
  }
  return row;
}

// spec: model fields + sizes [[h,w],...] | height/width, batchSize (16), warmup (1), reps (5), train (true), runtime fields.
Json run_measure(const Json& spec, JobContext& ctx) {
  auto ms = models::read_model(spec);
  auto rt = runtime_from(spec);
  std::vector<std::vector<int64_t>> sizes;
  if (spec.contains("sizes"))
    sizes = spec::get<std::vector<std::vector<int64_t>>>(spec, "sizes", {});
  else
    sizes.push_back({spec::require<int64_t>(spec, "height"), spec::get<int64_t>(spec, "width", spec::require<int64_t>(spec, "height"))});
  const auto batch = spec::get<int64_t>(spec, "batchSize", 16);
  const auto warmup = spec::get<int>(spec, "warmup", 1);
  const auto reps = spec::get<int>(spec, "reps", 5);
  const bool train = spec::get<bool>(spec, "train", true);
  spec::check(batch >= 1, "batchSize", "must be >= 1");
  spec::check(warmup >= 0 && reps >= 1, "reps", "reps must be >= 1 and warmup >= 0");
  torch::manual_seed(0);
  auto model = models::make(ms);
  model->to(rt.device);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3).weight_decay(1e-4));
  Json rows = Json::array();
  for (size_t i = 0; i < sizes.size(); ++i) {
    spec::check(sizes[i].size() == 2 && sizes[i][0] >= 1 && sizes[i][1] >= 1, "sizes[" + std::to_string(i) + "]",
                "must be [height, width] >= 1");
    rows.push_back(measure_one(*model, opt, sizes[i][0], sizes[i][1], batch, warmup, reps, train, rt, ctx, ms.classes));
    ctx.emit({{"type", "progress"}, {"done", i + 1}, {"total", sizes.size()}});
  }
  Json out = describe(rt);
  out["model"] = ms.name;
  out["rows"] = rows;
  out["reps"] = reps;
  return out;
}

const JobRegistrar kRegistrar("cost.measure", "measured forward/training img/s and latency (cpu threads or cuda, bf16, channels_last)",
                              run_measure);

}  // namespace
}  // namespace rd::cost
