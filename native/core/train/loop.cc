#include "train/loop.h"

#include <torch/nn/utils/clip_grad.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "job/spec.h"
#include "models/safetensors.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "util/error.h"

namespace rd::train {
namespace fs = std::filesystem;

LoopSpec parse_loop(const Json& spec) {
  LoopSpec s;
  s.epochs = spec::get<int>(spec, "epochs", s.epochs);
  s.accumulate = spec::get<int64_t>(spec, "accumulate", s.accumulate);
  s.clip_grad_norm = spec::get<double>(spec, "clipGradNorm", 0.0);
  s.optimizer = parse_optimizer(spec);
  s.schedule = parse_schedule(spec, s.epochs);
  s.out_dir = spec::require<std::string>(spec, "out");
  s.resume = spec::get<bool>(spec, "resume", true);
  s.select_by = spec::get<std::string>(spec, "selectBy", s.select_by);
  spec::check(s.epochs > 0, "epochs", "must be > 0");
  spec::check(s.accumulate > 0, "accumulate", "must be > 0");
  spec::check(s.clip_grad_norm >= 0, "clipGradNorm", "must be >= 0");
  spec::check(s.select_by == "accuracy" || s.select_by == "balancedAccuracy" || s.select_by == "macroF1" || s.select_by == "loss" ||
                  s.select_by == "distillLoss",
              "selectBy", "use accuracy, balancedAccuracy, macroF1, loss or distillLoss");
  return s;
}

namespace {

double score_of(const Json& val, const std::string& by) {
  if (!val.contains(by) || val[by].is_null()) return -1e300;
  const double v = val[by].get<double>();
  return by == "loss" || by == "distillLoss" ? -v : v;  // losses: lower is better
}

// Distributed: every rank gets the mean over ranks of the batch's loss and terms, and the global image count.
void share_batch(Group& group, double& loss, int64_t& n, std::map<std::string, double>& terms) {
  at::Tensor t = at::empty({int64_t(terms.size()) + 2}, at::kDouble);
  auto* v = t.data_ptr<double>();
  v[0] = loss, v[1] = double(n);
  size_t i = 2;
  for (auto& [_, value] : terms) v[i++] = value;
  group.average(t);
  v = t.data_ptr<double>();
  loss = v[0], n = std::llround(v[1] * group.world());
  i = 2;
  for (auto& [_, value] : terms) value = v[i++];
}

// Rank 0's weights and buffers into every rank (after a resume too, so no rank can drift).
void broadcast_model(Group& group, torch::nn::Module& model) {
  std::vector<at::Tensor> state;
  for (const auto& p : model.parameters()) state.push_back(p.detach());
  for (const auto& b : model.buffers()) state.push_back(b.detach());
  group.broadcast(state);
}

// The run's description with the epoch these weights are from.
std::map<std::string, std::string> weights_metadata(const LoopSpec& s, int64_t epoch) {
  auto m = s.weights_metadata;
  m["epoch"] = std::to_string(epoch);
  return m;
}

void ensure_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(code::kIo, "cannot create run directory " + dir + ": " + ec.message());
}

}  // namespace

Json train_loop(torch::nn::Module& model, data::Loader& source, const LoopSpec& s, const StepFn& step, const ValidateFn& validate,
                JobContext& ctx, Group* group) {
  ensure_dir(s.out_dir);
  // best.safetensors loads straight into the equivalent PyTorch module.
  const std::string ckpt = s.out_dir + "/checkpoint.pt", best = s.out_dir + "/" + kBestCheckpoint;
  auto optimizer = make_optimizer(model.parameters(), s.optimizer);
  CheckpointMeta meta;
  if (s.resume && load_checkpoint(ckpt, model, *optimizer, meta)) {
    ctx.emit({{"type", "resumed"}, {"epoch", meta.epoch}});
  }
  const bool writer = !group || group->rank() == 0;  // only rank 0 writes files
  if (group) {
    group->check_same(meta.epoch, "the epoch resumed from " + ckpt + " (all ranks must see one run directory)");
    broadcast_model(*group, model);
  }
  int64_t steps = 0;
  const auto started = std::chrono::steady_clock::now();
  const int64_t start_epoch = meta.epoch;
  for (int64_t epoch = meta.epoch; epoch < s.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const double collective0 = group ? group->seconds() : 0;
    source.start_epoch(epoch);
    steps = static_cast<int64_t>(source.batches());
    if (group) group->check_same(steps, "the number of batches in epoch " + std::to_string(epoch + 1));
    model.train();
    optimizer->zero_grad();
    std::map<std::string, double> sums;
    double loss_sum = 0;
    int64_t images = 0, step_index = 0;
    double lr = s.optimizer.lr;
    while (auto next = source.next()) {
      const data::Batch& batch = *next;
      ctx.check_cancelled();
      lr = lr_at(s.schedule, s.optimizer.lr, double(epoch) + double(step_index) / double(std::max<int64_t>(steps, 1)));
      set_lr(*optimizer, lr);
      StepResult r = step(batch);
      double loss = r.total.item<double>();
      int64_t n = batch.views.front().size(0);
      std::map<std::string, double> term_values;
      for (auto& [name, t] : r.terms) term_values[name] = t.item<double>();
      if (group) share_batch(*group, loss, n, term_values);
      if (!std::isfinite(loss)) {
        // Name a checkpoint only when one is on disk: a run that fails in its first epoch has none.
        const std::string kept = std::filesystem::exists(ckpt)
                                     ? "the last good checkpoint (epoch " + std::to_string(meta.epoch) + ") is kept in " + ckpt
                                     : "no checkpoint was written before it, so a rerun starts from scratch";
        throw Error(code::kLossNotFinite, "loss is " + std::to_string(loss) + " at epoch " + std::to_string(epoch + 1) + ", step " +
                                              std::to_string(step_index + 1) + "; " + kept +
                                              " (lower the learning rate or enable gradient clipping)");
      }
      const bool last = (step_index + 1) % s.accumulate == 0 || step_index + 1 == steps;  // of an optimiser step
      if (group && last) group->overlap_next_backward(model.parameters());
      (r.total / double(s.accumulate)).backward();
      ++step_index;
      if (last) {
        if (group) group->average_gradients(model.parameters());
        if (s.clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model.parameters(), s.clip_grad_norm);
        optimizer->step();
        optimizer->zero_grad();
      }
      images += n;
      loss_sum += loss * n;
      for (auto& [name, value] : term_values) sums[name] += value * n;
      if (step_index % std::max<int64_t>(1, steps / 20) == 0 || step_index == steps) {
        ctx.emit({{"type", "step"}, {"epoch", epoch + 1}, {"step", step_index}, {"steps", steps}, {"loss", loss}, {"lr", lr}});
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Json terms = Json::object();
    for (auto& [name, sum] : sums) terms[name] = sum / std::max<int64_t>(images, 1);
    torch::NoGradGuard no_grad;
    model.eval();
    Json val = validate();
    const double score = score_of(val, s.select_by);
    if (score > meta.best_score || meta.best_epoch < 0) {
      meta.best_score = score;
      meta.best_epoch = epoch + 1;
      if (writer) models::save_weights(model, best, weights_metadata(s, epoch + 1));
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double eta = elapsed / double(epoch + 1 - start_epoch) * double(s.epochs - epoch - 1);
    Json event = {{"type", "epoch"},
                  {"epoch", epoch + 1},
                  {"epochs", s.epochs},
                  {"loss", loss_sum / std::max<int64_t>(images, 1)},
                  {"terms", terms},
                  {"lr", lr},
                  {"imagesPerSecond", images / std::max(seconds, 1e-9)},
                  {"seconds", seconds},
                  {"etaSeconds", eta},
                  {"val", val}};
    // Time in all-reduces this epoch (waiting for slower ranks included): the data-parallel overhead's upper bound.
    if (group) event["collectiveSeconds"] = group->seconds() - collective0;
    meta.history.push_back(event);
    meta.epoch = epoch + 1;
    if (writer) save_checkpoint(ckpt, model, *optimizer, meta);
    ctx.emit(event);
  }
  // The last epoch's weights too: what resume must reproduce bit for bit.
  const std::string last = s.out_dir + "/final.safetensors";
  if (writer) models::save_weights(model, last, weights_metadata(s, meta.epoch));
  if (group) group->barrier();  // every rank returns once rank 0's files exist
  return {{"bestEpoch", meta.best_epoch},
          {"bestCheckpoint", best},
          {"finalCheckpoint", last},
          {"checkpoint", ckpt},
          {"final", meta.history.empty() ? Json(nullptr) : meta.history.back()["val"]},
          {"history", meta.history}};
}

}  // namespace rd::train
