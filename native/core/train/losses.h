// The paper's distillation loss (§2 of DiPalma et al. 2021): wKd*KL(T)*T^2 + wPx*D(f_s, g(f_t)) [+ wCe*CE], each term kept apart,
// plus, as an option of ours, attention transfer (Zagoruyko & Komodakis 2017) on the same feature maps.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>

#include <nlohmann/json.hpp>

namespace rd::train {

enum class PixelLoss { kMse, kL1 };                             // D
enum class TeacherResize { kAdaptiveMax, kBicubic, kAverage };  // g

// Attention transfer (Zagoruyko & Komodakis, ICLR 2017, eq. 2; their cifar.py's at_loss is the mean): weight * mean((Q(f_s) -
// Q(g(f_t)))^2), Q(f) = normalize(mean_c |f|^p) per sample, on the teacher map after the resize g (the pixel loss's target, which the
// teacher cache stores). On a 1 x 1 student map every Q is 1 and the term is 0. Off (weight 0) unless the job's loss
// carries `attention`, whose defaults the experiment config owns (both fields are then required).
struct AttentionOptions {
  double weight = 0.0;
  double power = 2.0;
};

struct DistillLossOptions {
  double w_kd = 1.0;
  double w_px = 1.0;
  double w_ce = 0.0;
  double temperature = 1.0;
  PixelLoss pixel = PixelLoss::kMse;
  TeacherResize resize = TeacherResize::kAdaptiveMax;
  AttentionOptions attention;
};

// Every term unweighted (kd already times T^2) plus the weighted total that is back-propagated.
struct DistillLossTerms {
  at::Tensor total, kd, px, ce, at;
};

// The one reader of a job's `loss` object, in the experiment config's words (src/config/schema.ts owns the
// defaults and messages; these equal them, which test/native/defaults-agree.test.ts checks):
// { wKd, wPx, wCe, temperature, pixel: l2|l1, resize: maxpool|bicubic|avgpool, attention: null|{weight, power} }.
// Errors name `at` + the field.
DistillLossOptions parse_loss(const nlohmann::json& loss, const std::string& at = "loss");

// The defaults above in the same words, for the defaults-agree test.
nlohmann::json loss_defaults();

// g: resizes the teacher map (N,C,Ht,Wt) to (height, width).
at::Tensor resize_teacher_map(const at::Tensor& ft, int64_t height, int64_t width, TeacherResize how);

// kl_div(log_softmax(zs/T), softmax(zt/T), batchmean) * T^2, computed in float32.
at::Tensor kd_loss(const at::Tensor& zs, const at::Tensor& zt, double temperature);

// D(f_s, g(f_t)) with mean reduction, computed in float32.
at::Tensor pixel_loss(const at::Tensor& fs, const at::Tensor& ft, PixelLoss d, TeacherResize g);

// The attention map Q of (N,C,H,W) features: (N, H*W), each row |f|^p averaged over channels, L2-normalised.
at::Tensor attention_map(const at::Tensor& f, double power);

// mean((Q(f_s) - Q(g(f_t)))^2), the teacher's map resized to the student's size by g first, computed in float32.
at::Tensor attention_loss(const at::Tensor& fs, const at::Tensor& ft, double power, TeacherResize g);

// The whole loss. `labels` may be undefined when w_ce == 0 (label-free distillation); ce is then 0.
// CE averages over labelled samples only: label -1 marks an unlabeled one.
// The teacher tensors are treated as constants (detached).
DistillLossTerms distill_loss(const at::Tensor& fs, const at::Tensor& zs, const at::Tensor& ft, const at::Tensor& zt,
                              const at::Tensor& labels, const DistillLossOptions& options);

}  // namespace rd::train
