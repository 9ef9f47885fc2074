// "weights.describe" and "weights.forward": a weights file used alone, from its own metadata (weights_metadata.h).
#include <torch/torch.h>

#include <fstream>
#include <iterator>

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

// An RGB uint8 HWC .npy image as float [1, 3, H, W] in [0, 1].
at::Tensor read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(code::kIo, "cannot read '" + path + "'");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  store::NpyShape shape;
  size_t header = 0;
  std::string why;
  if (!store::npy_parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), shape, header, why) || shape.c != 3) {
    throw Error(code::kConfigInvalid,
                "spec.images: " + path + " is not an RGB uint8 HxWx3 .npy (" + (why.empty() ? "channels" : why) + ")");
  }
  auto hwc = torch::from_blob(const_cast<char*>(bytes.data() + header), {shape.h, shape.w, 3}, torch::kUInt8);
  return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat).div_(255.f);
}

// spec: { path, images: [.npy paths] } -> { logits: [[...] per image], featureShapes }: each image preprocessed as the
// metadata says (/255, then (x - mean) / std) and classified on the CPU, one at a time (sizes may differ).
Json forward(const Json& spec, JobContext& ctx) {
  auto d = load_described(spec::require<std::string>(spec, "path"));
  const auto images = spec::require<std::vector<std::string>>(spec, "images");
  const auto mean = torch::tensor(std::vector<float>(d.metadata.mean.begin(), d.metadata.mean.end())).view({1, 3, 1, 1});
  const auto std = torch::tensor(std::vector<float>(d.metadata.std.begin(), d.metadata.std.end())).view({1, 3, 1, 1});
  torch::NoGradGuard no_grad;
  Json logits = Json::array(), shapes = Json::array();
  for (const auto& image : images) {
    ctx.check_cancelled();
    auto [f, z] = d.model->forward(read_image(image).sub_(mean).div_(std));
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
