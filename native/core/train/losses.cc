#include "train/losses.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/torch.h>

#include "job/spec.h"
#include "util/error.h"

namespace rd::train {

namespace F = torch::nn::functional;

namespace {

const char* pixel_name(PixelLoss p) { return p == PixelLoss::kL1 ? "l1" : "l2"; }

const char* resize_name(TeacherResize r) {
  return r == TeacherResize::kBicubic ? "bicubic" : r == TeacherResize::kAverage ? "avgpool" : "maxpool";
}

}  // namespace

DistillLossOptions parse_loss(const nlohmann::json& spec, const std::string& at) {
  DistillLossOptions o;
  spec::check(spec.is_object(), at, "must be an object");
  o.w_kd = spec::get<double>(spec, "wKd", o.w_kd);
  o.w_px = spec::get<double>(spec, "wPx", o.w_px);
  o.w_ce = spec::get<double>(spec, "wCe", o.w_ce);
  o.temperature = spec::get<double>(spec, "temperature", o.temperature);
  const auto pixel = spec::get<std::string>(spec, "pixel", pixel_name(o.pixel));
  spec::check(pixel == "l2" || pixel == "l1", at + ".pixel", "use l2 or l1");
  o.pixel = pixel == "l1" ? PixelLoss::kL1 : PixelLoss::kMse;
  const auto resize = spec::get<std::string>(spec, "resize", resize_name(o.resize));
  spec::check(resize == "maxpool" || resize == "bicubic" || resize == "avgpool", at + ".resize", "use maxpool, bicubic or avgpool");
  o.resize = resize == "bicubic" ? TeacherResize::kBicubic : resize == "avgpool" ? TeacherResize::kAverage : TeacherResize::kAdaptiveMax;
  spec::check(o.temperature > 0, at + ".temperature", "must be > 0");
  spec::check(o.w_kd >= 0 && o.w_px >= 0 && o.w_ce >= 0, at, "weights must be >= 0");
  const auto attention = spec.find("attention");
  if (attention != spec.end() && !attention->is_null()) {
    spec::check(attention->is_object(), at + ".attention", "must be null or an object {weight, power}");
    for (const char* key : {"weight", "power"})
      spec::check(attention->contains(key) && (*attention)[key].is_number(), at + ".attention." + key, "required, a number");
    o.attention.weight = (*attention)["weight"].get<double>();
    o.attention.power = (*attention)["power"].get<double>();
    spec::check(o.attention.weight >= 0, at + ".attention.weight", "must be >= 0");
    spec::check(o.attention.power > 0, at + ".attention.power", "must be > 0");
  }
  return o;
}

nlohmann::json loss_defaults() {
  const DistillLossOptions o;
  return {{"wKd", o.w_kd},
          {"wPx", o.w_px},
          {"wCe", o.w_ce},
          {"temperature", o.temperature},
          {"pixel", pixel_name(o.pixel)},
          {"resize", resize_name(o.resize)}};
}

at::Tensor resize_teacher_map(const at::Tensor& ft, int64_t height, int64_t width, TeacherResize how) {
  if (ft.size(2) == height && ft.size(3) == width) return ft;
  switch (how) {
    case TeacherResize::kAdaptiveMax:
      return std::get<0>(torch::adaptive_max_pool2d(ft, {height, width}));
    case TeacherResize::kAverage:
      return torch::adaptive_avg_pool2d(ft, {height, width});
    case TeacherResize::kBicubic:
      return F::interpolate(
          ft, F::InterpolateFuncOptions().size(std::vector<int64_t>{height, width}).mode(torch::kBicubic).align_corners(false));
  }
  throw Error(code::kInternal, "resize_teacher_map: bad mode");
}

at::Tensor kd_loss(const at::Tensor& zs, const at::Tensor& zt, double temperature) {
  TORCH_CHECK(zs.sizes() == zt.sizes(), "kd_loss: student and teacher logits differ in shape");
  const double t = temperature;
  auto log_p_s = torch::log_softmax(zs.to(torch::kFloat) / t, 1);
  auto p_t = torch::softmax(zt.to(torch::kFloat).detach() / t, 1);
  // batchmean: summed KL divided by the batch size, as PyTorch's reduction="batchmean".
  auto kl = F::kl_div(log_p_s, p_t, F::KLDivFuncOptions().reduction(torch::kSum)) / double(zs.size(0));
  return kl * (t * t);
}

at::Tensor pixel_loss(const at::Tensor& fs, const at::Tensor& ft, PixelLoss d, TeacherResize g) {
  TORCH_CHECK(fs.dim() == 4 && ft.dim() == 4 && fs.size(0) == ft.size(0) && fs.size(1) == ft.size(1),
              "pixel_loss: feature maps must be (N,C,H,W) with equal N and C");
  auto target = resize_teacher_map(ft.to(torch::kFloat).detach(), fs.size(2), fs.size(3), g);
  auto s = fs.to(torch::kFloat);
  return d == PixelLoss::kMse ? F::mse_loss(s, target) : F::l1_loss(s, target);
}

at::Tensor attention_map(const at::Tensor& f, double power) {
  const auto q = f.to(torch::kFloat).abs().pow(power).mean(1);  // (N,H,W)
  return F::normalize(q.flatten(1), F::NormalizeFuncOptions().p(2).dim(1));
}

at::Tensor attention_loss(const at::Tensor& fs, const at::Tensor& ft, double power, TeacherResize g) {
  TORCH_CHECK(fs.dim() == 4 && ft.dim() == 4 && fs.size(0) == ft.size(0), "attention_loss: feature maps must be (N,C,H,W) with equal N");
  const auto qs = attention_map(fs, power);
  const auto qt = attention_map(resize_teacher_map(ft.to(torch::kFloat).detach(), fs.size(2), fs.size(3), g), power);
  return (qs - qt).pow(2).mean();
}

DistillLossTerms distill_loss(const at::Tensor& fs, const at::Tensor& zs, const at::Tensor& ft, const at::Tensor& zt,
                              const at::Tensor& labels, const DistillLossOptions& o) {
  if (o.temperature <= 0) throw Error(code::kConfigInvalid, "temperature must be > 0");
  DistillLossTerms out;
  auto zero = torch::zeros({}, zs.options().dtype(torch::kFloat));
  out.kd = o.w_kd != 0 ? kd_loss(zs, zt, o.temperature) : zero;
  out.px = o.w_px != 0 ? pixel_loss(fs, ft, o.pixel, o.resize) : zero;
  if (o.w_ce != 0) {
    if (!labels.defined()) throw Error(code::kConfigInvalid, "w_ce > 0 needs labels");
    // Unlabeled samples (label -1) are ignored; a batch with none labelled contributes 0, not NaN.
    const auto labelled = (labels >= 0).sum().clamp_min(1).to(torch::kFloat);
    out.ce =
        F::cross_entropy(zs.to(torch::kFloat), labels, F::CrossEntropyFuncOptions().ignore_index(-1).reduction(torch::kSum)) / labelled;
  } else {
    out.ce = zero;
  }
  out.at = o.attention.weight != 0 ? attention_loss(fs, ft, o.attention.power, o.resize) : zero;
  out.total = out.kd * o.w_kd + out.px * o.w_px + out.ce * o.w_ce + out.at * o.attention.weight;
  return out;
}

}  // namespace rd::train
