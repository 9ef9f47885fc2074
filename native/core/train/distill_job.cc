// "train.distill": the paper's label-free student: frozen teacher on the high-magnification view,
// student on the low one, loss = wKd*KL*T^2 + wPx*D(f_s, g(f_t)) [+ wCe*CE on labelled samples].
#include <torch/torch.h>

#include "train/distributed.h"
#include "train/job_common.h"
#include "job/job.h"
#include "job/spec.h"
#include "models/safetensors.h"
#include "train/losses.h"
#include "train/loop.h"
#include "train/run_config.h"
#include "run/described_model.h"
#include "run/store_views.h"
#include "train/run_weights.h"
#include "train/teacher_cache.h"
#include "models/autocast.h"
#include "models/memory_format.h"
#include "util/magnification.h"

namespace rd::train {
namespace {

Json run_distill(const Json& spec, JobContext& ctx) {
  RunSpec r = parse_run(spec);
  Rank rank = join_rank(spec, r.device, ctx);
  const auto& group = rank.group;
  JobContext& rank_ctx = rank.ctx;  // events come from rank 0 only
  const DistillLossOptions loss = parse_loss(spec::get<Json>(spec, "loss", Json::object()));
  const auto teacher_spec = spec::require<Json>(spec, "teacher");
  const double teacher_mag = spec::require<double>(teacher_spec, "magnification");
  const bool unlabeled = spec::get<bool>(spec, "unlabeled", false);
  const double fraction = spec::get<double>(spec, "unlabeledFraction", 1.0);
  spec::check(fraction > 0 && fraction <= 1, "unlabeledFraction", "must be in (0, 1]");
  spec::check(teacher_mag >= r.magnification, "teacher.magnification", "must be >= the student's magnification");
  const run::StoreFacts facts = run::store_facts(r.store);

  // The teacher: a checkpoint of this experiment (teacher.checkpoint + model), or a self-describing weights file
  // brought from elsewhere (teacher.weights), which brings its own architecture and input normalisation.
  const bool described = teacher_spec.contains("weights");
  const std::string teacher_file =
      described ? spec::require<std::string>(teacher_spec, "weights") : spec::require<std::string>(teacher_spec, "checkpoint");
  models::Model teacher;
  models::ModelSpec teacher_model;
  std::optional<store::Normalization> teacher_input;
  if (described) {
    auto d = run::load_described_for_store(teacher_file, facts, r.device, "teacher.weights");
    spec::check(
        same_magnification(d.magnification, teacher_mag), "teacher.weights",
        "the file's model is at " + Json(d.magnification).dump() + "x, not teacher.magnification " + Json(teacher_mag).dump() + "x");
    teacher = d.model;
    teacher_model = d.spec;
    teacher_input = d.input;
  } else {
    teacher_model = models::read_model(teacher_spec);
    teacher = run::build_model(teacher_model, facts.num_classes, r.seed, r.device, r.channels_last);
    models::load_weights(*teacher, teacher_file);
  }
  teacher->eval();
  for (auto& p : teacher->parameters()) p.requires_grad_(false);
  auto student = run::build_model(r.model, facts.num_classes, r.seed, r.device, r.channels_last);
  // The authors' student starts from scratch (model/factory.py loads only the teacher). Starting it from the
  // teacher's weights is an extension of ours (method kd+init): same architecture, fully convolutional.
  const bool init_from_teacher = spec::get<bool>(spec, "initFromTeacher", false);
  if (init_from_teacher) {
    spec::check(teacher_model.architecture() == r.model.architecture(), "initFromTeacher",
                "needs the teacher's architecture for the student");
    models::load_weights(*student, teacher_file);
  }

  // Labels are not needed (label-free); the labelled train split plus, optionally, the unlabeled pool.
  const std::string split = unlabeled ? "train+unlabeled" : "train";
  run::ViewRequest shard{r.store,    {r.magnification, teacher_mag}, split, r.batch_size, r.mode, true, r.augment, r.seed, fraction,
                         r.normalize};
  if (group) shard.rank = group->rank(), shard.world = group->world();
  auto train = run::open_loader(shard);
  auto val = run::open_loader({r.store, {r.magnification}, "val", r.batch_size, r.mode, false, nullptr, r.seed, 1, r.normalize});
  r.loop.weights_metadata = run_weights_metadata(spec, r, facts, *train, "kd");

  // The teacher's forward, shared by the plain path and the cache. The frozen teacher only runs forward passes,
  // so its memory format follows the rule for those (NHWC pays for large inputs on CPU), chosen once from the
  // first batch's size: pieces of mixed sizes would otherwise rewrite every weight at each switch.
  const auto forced_format = spec::optional<bool>(spec, "channelsLast");
  std::optional<bool> teacher_nhwc;
  auto run_teacher = [&](at::Tensor hi) {
    if (!teacher_nhwc) {
      teacher_nhwc = models::use_channels_last(forced_format, r.device, /*training=*/false, hi.size(2), hi.size(3));
      models::to_memory_format(*teacher, *teacher_nhwc);
    }
    if (teacher_input) hi = run::renormalize(hi, train->options(), *teacher_input);  // the loader's normalisation -> the teacher's own
    hi = models::to_memory_format(hi, *teacher_nhwc);
    torch::NoGradGuard no_grad;
    models::AutocastGuard autocast(c10::kCUDA, r.bf16);
    return teacher->forward(hi);
  };
  std::unique_ptr<TeacherCache> cache;
  if (spec::get<bool>(spec, "teacherCache", false)) {
    const auto augment = data::AugmentSpec::from_json(r.augment);
    spec::check(geometric_only(augment), "teacherCache", "needs flip/rotation-only augmentation: set augment.jitter to null");
    cache = std::make_unique<TeacherCache>(run_teacher, loss.resize);
    auto plain = run::open_loader(
        {r.store, {r.magnification, teacher_mag}, split, r.batch_size, r.mode, false, nullptr, r.seed, fraction, r.normalize});
    std::map<std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>> sizes;  // student input -> feature map
    auto map_size = [&](int64_t h, int64_t w) {
      auto it = sizes.find({h, w});
      if (it != sizes.end()) return it->second;
      torch::NoGradGuard no_grad;
      student->eval();  // no batch-norm statistics move; train_loop sets train() again
      auto fs = std::get<0>(student->forward(torch::zeros({1, 3, h, w}, torch::TensorOptions().device(r.device))));
      return sizes[{h, w}] = {fs.size(2), fs.size(3)};
    };
    cache->fill(*plain, augment, map_size, r.device, rank_ctx);
  }

  bool warned_flat_attention = false;
  auto step = [&](const data::Batch& b) {
    auto lo = b.views[0].to(r.device, true), hi = b.views[1].to(r.device, true);
    if (r.channels_last) lo = lo.contiguous(at::MemoryFormat::ChannelsLast);
    at::Tensor fs, zs, ft, zt;
    {
      models::AutocastGuard autocast(c10::kCUDA, r.bf16);
      std::tie(fs, zs) = student->forward(lo);
    }
    std::tie(ft, zt) = cache ? cache->outputs(b, hi, fs.size(2), fs.size(3)) : run_teacher(hi);
    const at::Tensor labels = loss.w_ce > 0 ? b.labels.to(r.device) : at::Tensor();
    if (loss.attention.weight > 0 && fs.size(2) * fs.size(3) == 1 && !warned_flat_attention) {
      warned_flat_attention = true;
      rank_ctx.emit({{"type", "warning"},
                     {"message", "loss.attention: the student's last feature map is 1 x 1 at " + Json(r.magnification).dump() +
                                     "x, where every attention map is the same, so attention transfer adds nothing (kd+at trains as kd); "
                                     "larger tiles give it a spatial map"}});
    }
    auto terms = distill_loss(fs, zs, ft, zt, labels, loss);
    return StepResult{terms.total,
                      {{"kd", terms.kd.detach()}, {"px", terms.px.detach()}, {"ce", terms.ce.detach()}, {"at", terms.at.detach()}}};
  };
  ValidateFn validate = validator(*student, *val, r, facts, rank_ctx);
  // selectBy distillLoss: the epoch kept is the one with the lowest distillation loss (kd + px, no label) on the
  // validation split, so a student is chosen without any label (ours; the authors select on validation accuracy).
  std::unique_ptr<data::Loader> val_pairs;
  if (r.loop.select_by == "distillLoss") {
    val_pairs =
        run::open_loader({r.store, {r.magnification, teacher_mag}, "val", r.batch_size, r.mode, false, nullptr, r.seed, 1, r.normalize});
    DistillLossOptions unlabelled = loss;
    unlabelled.w_ce = 0;
    validate = [&, base = validate, unlabelled] {
      Json v = base();
      double sum = 0;
      int64_t n = 0;
      val_pairs->start_epoch(0);
      while (auto next = val_pairs->next()) {
        rank_ctx.check_cancelled();
        auto lo = next->views[0].to(r.device, true), hi = next->views[1].to(r.device, true);
        at::Tensor fs, zs;
        {
          models::AutocastGuard autocast(c10::kCUDA, r.bf16);
          std::tie(fs, zs) = student->forward(lo);
        }
        auto [ft, zt] = run_teacher(hi);
        const int64_t b = lo.size(0);
        sum += distill_loss(fs, zs, ft, zt, at::Tensor(), unlabelled).total.item<double>() * double(b);
        n += b;
      }
      v["distillLoss"] = n ? Json(sum / double(n)) : Json(nullptr);
      return v;
    };
  }
  Json out = describe_run(train_loop(*student, *train, r.loop, step, validate, rank_ctx, group.get()), r, facts, *train);
  out["teacherMagnification"] = teacher_mag;
  out["unlabeled"] = unlabeled;
  out["unlabeledFraction"] = fraction;
  out["initFromTeacher"] = init_from_teacher;
  out["trainSamples"] = int64_t(train->samples()) * (group ? group->world() : 1);  // over all ranks
  if (cache) out["teacherCache"] = cache->stats();
  if (group) out["distributed"] = describe_distributed(group.get(), r.batch_size, r.loop.accumulate, r.loop.optimizer.lr);
  return out;
}

const JobRegistrar kRegistrar("train.distill", "label-free resolution distillation of a low-magnification student", run_distill);

}  // namespace
}  // namespace rd::train
