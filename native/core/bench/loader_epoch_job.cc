// "bench.loaderEpoch": is the loader ever the bottleneck? One distillation epoch (same batches, same augmentation
// draws) timed fed live by the store loader (its prefetch thread) and from the same batches held in memory,
// interleaved, medians. A ratio near 1 means training never waits for data.
#include <torch/torch.h>

#include "models/memory_format.h"

#include <algorithm>
#include <chrono>

#include "job/job.h"
#include "job/spec.h"
#include "train/losses.h"
#include "run/model_config.h"
#include "run/store_views.h"

namespace rd {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Json run_loader_epoch(const Json& spec, JobContext& ctx) {
  const auto store = spec::require<std::string>(spec, "store");
  const double student_mag = spec::require<double>(spec, "magnification");
  const double teacher_mag = spec::require<double>(spec, "teacherMagnification");
  const int64_t batch = spec::get<int64_t>(spec, "batchSize", 16);
  const int reps = spec::get<int>(spec, "reps", 3);
  spec::check(reps >= 1, "reps", "must be >= 1");
  const Json augment = spec.contains("augment") ? spec["augment"] : Json::object();  // the paper's flips + jitter
  const auto facts = run::store_facts(store);
  auto loader = run::open_loader({store, {student_mag, teacher_mag}, "train", batch, "fixed", true, augment, 0});

  loader->start_epoch(0);
  std::vector<data::Batch> memory;
  int64_t images = 0;
  while (auto b = loader->next()) {
    images += b->views[0].size(0);
    memory.push_back(std::move(*b));
  }

  const c10::Device cpu(c10::kCPU);
  const auto model = models::read_model(spec);
  // Memory formats as train.distill chooses them (models/memory_format.h): the student trains in NCHW, the
  // frozen teacher's format follows its input size.
  auto teacher = run::build_model(model, facts.num_classes, 1, cpu, false);
  auto student = run::build_model(model, facts.num_classes, 0, cpu, false);
  std::optional<bool> teacher_nhwc;
  teacher->eval();
  for (auto& p : teacher->parameters()) p.requires_grad_(false);
  torch::optim::Adam opt(student->parameters(), torch::optim::AdamOptions(1e-3).weight_decay(1e-4));
  const train::DistillLossOptions loss;
  auto step = [&](const data::Batch& b) {
    ctx.check_cancelled();
    at::Tensor ft, zt;
    {
      torch::NoGradGuard no_grad;
      const auto& hi = b.views[1];
      if (!teacher_nhwc)
        models::to_memory_format(*teacher, *(teacher_nhwc = models::use_channels_last(std::nullopt, cpu, false, hi.size(2), hi.size(3))));
      std::tie(ft, zt) = teacher->forward(models::to_memory_format(hi, *teacher_nhwc));
    }
    auto [fs, zs] = student->forward(b.views[0]);
    opt.zero_grad();
    train::distill_loss(fs, zs, ft, zt, {}, loss).total.backward();
    opt.step();
  };
  auto timed = [](auto&& body) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> live, held;
  for (int r = 0; r < reps; ++r) {
    live.push_back(timed([&] {
      loader->start_epoch(0);
      while (auto b = loader->next()) step(*b);
    }));
    held.push_back(timed([&] {
      for (const auto& b : memory) step(b);
    }));
    ctx.emit({{"type", "progress"}, {"done", r + 1}, {"total", reps}});
  }
  const double live_ips = double(images) / median(live), held_ips = double(images) / median(held);
  return {{"images", images},
          {"batchSize", batch},
          {"reps", reps},
          {"loaderImagesPerSecond", live_ips},
          {"inMemoryImagesPerSecond", held_ips},
          {"ratio", live_ips / held_ips},
          {"loaderSeconds", live},
          {"inMemorySeconds", held}};
}

const JobRegistrar kRegistrar("bench.loaderEpoch", "a distillation epoch fed by the store loader vs from memory (benchmark)",
                              run_loader_epoch);

}  // namespace
}  // namespace rd
