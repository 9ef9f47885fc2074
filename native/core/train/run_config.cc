#include "train/run_config.h"

#include <torch/torch.h>

#include "job/spec.h"
#include "models/memory_format.h"
#include "run/store_views.h"
#include "util/device.h"

namespace rd::train {

RunSpec parse_run(const Json& spec) {
  RunSpec r;
  r.store = spec::require<std::string>(spec, "store");
  r.magnification = spec::require<double>(spec, "magnification");
  r.model = models::read_model(spec);
  r.batch_size = spec::get<int64_t>(spec, "batchSize", r.batch_size);
  // Fallbacks are RunSpec's own defaults, which train.defaults reports and test/native/defaults-agree.test.ts checks.
  r.seed = spec::get<uint64_t>(spec, "seed", r.seed);
  if (spec.contains("device")) r.device = parse_device(spec::require<std::string>(spec, "device"));
  r.bf16 = spec::get<bool>(spec, "bf16", r.bf16);
  r.channels_last = models::use_channels_last(spec::optional<bool>(spec, "channelsLast"), r.device, /*training=*/true, 0, 0);
  r.augment = spec.contains("augment") ? spec["augment"] : Json::object();
  r.normalize = run::parse_normalize(spec);
  r.loop = parse_loop(spec);
  r.mode = spec::get<std::string>(spec, "mode", r.mode);
  spec::check(r.magnification > 0, "magnification", "must be > 0");
  spec::check(r.batch_size > 0, "batchSize", "must be > 0");
  spec::check(!r.bf16 || r.device.is_cuda(), "bf16", "needs device cuda");
  return r;
}

}  // namespace rd::train
