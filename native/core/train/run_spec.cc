#include "train/run_spec.h"

#include <torch/torch.h>

#include "job/spec.h"
#include "util/device.h"

namespace rd::train {

RunSpec parse_run(const Json& spec) {
  RunSpec r;
  r.store = spec::require<std::string>(spec, "store");
  r.magnification = spec::require<double>(spec, "magnification");
  r.model = parse_model(spec);
  r.batch_size = spec::get<int64_t>(spec, "batchSize", r.batch_size);
  r.seed = spec::get<uint64_t>(spec, "seed", 0);
  r.device = parse_device(spec::get<std::string>(spec, "device", "cpu"));
  r.bf16 = spec::get<bool>(spec, "bf16", false);
  // Default: channels-last on CPU (oneDNN convolutions and pooling skip their reorders: a GN ResNet epoch runs
  // about 1.25x faster), NCHW on CUDA (GroupNorm's channels-last CUDA kernels are the slower ones).
  r.channels_last = spec::get<bool>(spec, "channelsLast", r.device.is_cpu());
  r.augment = spec.contains("augment") ? spec["augment"] : Json::object();
  r.normalize = parse_normalize(spec);
  r.loop = parse_loop(spec);
  r.mode = spec::get<std::string>(spec, "mode", r.mode);
  spec::check(r.magnification > 0, "magnification", "must be > 0");
  spec::check(r.batch_size > 0, "batchSize", "must be > 0");
  spec::check(!r.bf16 || r.device.is_cuda(), "bf16", "needs device cuda");
  return r;
}

bool parse_normalize(const Json& spec) {
  const auto n = spec::get<std::string>(spec, "normalize", "dataset");
  spec::check(n == "dataset" || n == "none", "normalize", "use dataset or none");
  return n == "dataset";
}

models::Model build_model(const ModelSpec& m, int64_t num_classes, uint64_t seed, const c10::Device& device, bool channels_last) {
  torch::manual_seed(seed);
  auto model = models::make(m.name, num_classes, m.options);
  model->to(device);
  if (channels_last) {
    for (auto& p : model->parameters()) {
      if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  return model;
}

}  // namespace rd::train
