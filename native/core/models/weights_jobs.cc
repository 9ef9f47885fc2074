// "weights.describe" and "weights.forward": a weights file used alone, from its own metadata (weights_metadata.h).
#include <torch/torch.h>

#include "job/job.h"
#include "job/spec.h"
#include "models/weights_metadata.h"
#include "store/npy.h"
#include "util/error.h"

namespace rd::models {
namespace {

// spec: { path } -> the checked metadata, the parameter count and the tensor count. WEIGHTS_INVALID when the file's
// metadata is missing, malformed or disagrees with its tensors.
Json describe(const Json& spec, JobContext&) {
  const auto path = spec::require<std::string>(spec, "path");
  auto d = load_described(path);
  Json out = to_json(d.metadata);
  out["params"] = count_parameters(*d.model);
  out["tensors"] = state_dict(*d.model).size();
  out["path"] = path;
  return out;
}

// An RGB uint8 HWC .npy image as float [1, 3, H, W] in [0, 1], stain-normalised first when the model's store was.
at::Tensor read_image(const std::string& path, const std::optional<image::StainReference>& stain) {
  auto image = store::read_rgb_npy(path, "images");
  if (stain) image::normalize_stain(*stain, image.pixels.data(), image.pixels.size() / 3);
  auto hwc = torch::from_blob(image.pixels.data(), {image.shape.h, image.shape.w, 3}, torch::kUInt8);
  return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat).div_(255.f);
}

// spec: { path, images: [.npy paths] } -> { logits: [[...] per image], featureShapes }: each image preprocessed as the
// metadata says (stain, /255, then (x - mean) / std) and classified on the CPU, one at a time (sizes may differ).
Json forward(const Json& spec, JobContext& ctx) {
  auto d = load_described(spec::require<std::string>(spec, "path"));
  const auto images = spec::require<std::vector<std::string>>(spec, "images");
  const auto mean = torch::tensor(std::vector<float>(d.metadata.mean.begin(), d.metadata.mean.end())).view({1, 3, 1, 1});
  const auto std = torch::tensor(std::vector<float>(d.metadata.std.begin(), d.metadata.std.end())).view({1, 3, 1, 1});
  torch::NoGradGuard no_grad;
  Json logits = Json::array(), shapes = Json::array();
  for (const auto& image : images) {
    ctx.check_cancelled();
    auto [f, z] = d.model->forward(read_image(image, d.metadata.stain).sub_(mean).div_(std));
    z = z.contiguous();
    logits.push_back(std::vector<float>(z.data_ptr<float>(), z.data_ptr<float>() + z.numel()));
    shapes.push_back(f.sizes().vec());
  }
  return {{"logits", logits}, {"featureShapes", shapes}, {"classes", d.metadata.classes}};
}

const JobRegistrar kDescribe("weights.describe", "check a weights file's own description and return it", describe);
const JobRegistrar kForward("weights.forward", "logits of RGB .npy images through a self-describing weights file", forward);

}  // namespace
}  // namespace rd::models
