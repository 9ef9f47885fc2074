// The paper's distillation loss (DESIGN §1): w_kd*KL(T)*T^2 + w_px*D(f_s, g(f_t)) [+ w_ce*CE], each term kept apart.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>

namespace rd::train {

enum class PixelLoss { kMse, kL1 };                     // D
enum class TeacherResize { kAdaptiveMax, kBicubic, kAverage };  // g

struct DistillLossOptions {
  double w_kd = 1.0;
  double w_px = 1.0;
  double w_ce = 0.0;
  double temperature = 1.0;
  PixelLoss pixel = PixelLoss::kMse;
  TeacherResize resize = TeacherResize::kAdaptiveMax;
};

// Every term unweighted (kd already times T^2) plus the weighted total that is back-propagated.
struct DistillLossTerms {
  at::Tensor total, kd, px, ce;
};

// "mse" | "l2" | "l1"; throws Error(CONFIG_INVALID) naming `field`.
PixelLoss parse_pixel_loss(const std::string& name, const std::string& field = "pixel_loss");
// "max" | "adaptive_max" | "bicubic" | "avg" | "average"; throws Error(CONFIG_INVALID) naming `field`.
TeacherResize parse_teacher_resize(const std::string& name, const std::string& field = "resize");

// g: resizes the teacher map (N,C,Ht,Wt) to (height, width).
at::Tensor resize_teacher_map(const at::Tensor& ft, int64_t height, int64_t width, TeacherResize how);

// kl_div(log_softmax(zs/T), softmax(zt/T), batchmean) * T^2, computed in float32.
at::Tensor kd_loss(const at::Tensor& zs, const at::Tensor& zt, double temperature);

// D(f_s, g(f_t)) with mean reduction, computed in float32.
at::Tensor pixel_loss(const at::Tensor& fs, const at::Tensor& ft, PixelLoss d, TeacherResize g);

// The whole loss. `labels` may be undefined when w_ce == 0 (label-free distillation); ce is then 0.
// CE averages over labelled samples only: label -1 marks an unlabeled one.
// The teacher tensors are treated as constants (detached).
DistillLossTerms distill_loss(const at::Tensor& fs, const at::Tensor& zs, const at::Tensor& ft, const at::Tensor& zt,
                              const at::Tensor& labels, const DistillLossOptions& options);

}  // namespace rd::train
