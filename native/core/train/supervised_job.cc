// "train.supervised": cross-entropy at one magnification on the labelled train split: the teacher, or a baseline.
#include <torch/torch.h>

#include "job/spec.h"
#include "train/distributed.h"
#include "train/job_common.h"
#include "job/job.h"
#include "train/loop.h"
#include "train/run_config.h"
#include "run/store_views.h"
#include "train/run_weights.h"
#include "models/autocast.h"

namespace rd::train {
namespace {

Json run_supervised(const Json& spec, JobContext& ctx) {
  RunSpec r = parse_run(spec);
  spec::check(r.loop.select_by != "distillLoss", "selectBy", "distillLoss selects students only: a supervised run has no teacher");
  Rank rank = join_rank(spec, r.device, ctx);
  const auto& group = rank.group;
  JobContext& rank_ctx = rank.ctx;  // events come from rank 0 only
  const run::StoreFacts facts = run::store_facts(r.store);
  auto model = run::build_model(r.model, facts.num_classes, r.seed, r.device, r.channels_last);
  run::ViewRequest shard{r.store, {r.magnification}, "train", r.batch_size, r.mode, true, r.augment, r.seed, 1, r.normalize};
  if (group) shard.rank = group->rank(), shard.world = group->world();
  auto train = run::open_loader(shard);
  auto val = run::open_loader({r.store, {r.magnification}, "val", r.batch_size, r.mode, false, nullptr, r.seed, 1, r.normalize});
  r.loop.weights_metadata = run_weights_metadata(spec, r, facts, *train, "supervised");

  auto step = [&](const data::Batch& b) {
    auto x = b.views[0].to(r.device, true);
    if (r.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    models::AutocastGuard autocast(c10::kCUDA, r.bf16);
    auto logits = model->forward(x).second;
    auto ce = torch::nn::functional::cross_entropy(logits.to(torch::kFloat), b.labels.to(r.device));
    return StepResult{ce, {{"ce", ce.detach()}}};
  };
  Json result = describe_run(train_loop(*model, *train, r.loop, step, validator(*model, *val, r, facts, rank_ctx), rank_ctx, group.get()),
                             r, facts, *train);
  if (group) result["distributed"] = describe_distributed(group.get(), r.batch_size, r.loop.accumulate, r.loop.optimizer.lr);
  return result;
}

const JobRegistrar kRegistrar("train.supervised", "cross-entropy training at one magnification (teacher or baseline)", run_supervised);

}  // namespace
}  // namespace rd::train
