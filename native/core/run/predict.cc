#include "run/predict.h"

#include <torch/torch.h>

#include <cmath>

#include "models/autocast.h"

namespace rd::run {

Predictions predict(models::ModelImpl& model, data::Loader& source, int64_t num_classes, const PredictOptions& o, const JobContext& ctx,
                    double* loss) {
  torch::NoGradGuard no_grad;
  model.eval();
  Predictions p;
  p.num_classes = num_classes;
  double loss_sum = 0;
  int64_t labelled = 0;
  source.start_epoch(0);
  while (auto next = source.next()) {
    const data::Batch& batch = *next;
    ctx.check_cancelled();
    auto x = batch.views.at(o.view).to(o.device, /*non_blocking=*/true);
    if (o.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    at::Tensor logits;
    {
      models::AutocastGuard autocast(c10::kCUDA, o.bf16 && o.device.is_cuda());
      logits = model.forward(x).second.to(torch::kFloat).cpu();
    }
    auto labels = batch.labels.cpu();
    auto mask = labels >= 0;
    if (mask.any().item<bool>()) {
      loss_sum += torch::nn::functional::cross_entropy(logits.index({mask}), labels.index({mask}),
                                                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                      .item<double>();
      labelled += mask.sum().item<int64_t>();
    }
    auto probs = torch::softmax(logits, 1).to(torch::kDouble).contiguous();
    for (int64_t i = 0; i < probs.size(0); ++i) {
      if (labels[i].item<int64_t>() < 0) continue;  // unlabeled samples have nothing to score against
      const double* row = probs[i].data_ptr<double>();
      p.probs.emplace_back(row, row + num_classes);
      p.labels.push_back(labels[i].item<int64_t>());
      p.ids.push_back(batch.ids[i].item<int64_t>());
      p.groups.push_back(source.store().sample(size_t(p.ids.back())).group);
    }
  }
  if (loss) *loss = labelled ? loss_sum / double(labelled) : std::nan("");
  return p;
}

Json quick_metrics(const Predictions& p, double loss) {
  const Summary s = summarize(p);
  return {{"accuracy", s.accuracy},
          {"balancedAccuracy", s.balanced_accuracy},
          {"macroF1", s.macro_f1},
          {"auc", std::isnan(s.auc) ? Json(nullptr) : Json(s.auc)},
          {"loss", std::isnan(loss) ? Json(nullptr) : Json(loss)},
          {"n", p.labels.size()}};
}

}  // namespace rd::run
