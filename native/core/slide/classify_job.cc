// "slide.classify": a trained model over level-0 rectangles of one slide, each read straight at the model's
// magnification (what a deployed low-magnification student costs). Reader threads stay a few batches ahead of
// the model (read_ahead.h), so reading and the model overlap; returns softmax probabilities per rectangle.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>

#include "image/stain.h"
#include "job/job.h"
#include "job/spec.h"
#include "models/batch_parallel.h"
#include "models/safetensors.h"
#include "slide/api.h"
#include "run/model_config.h"
#include "models/memory_format.h"
#include "slide/read_ahead.h"
#include "util/device.h"
#include "util/magnification.h"

namespace rd::slide {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// RGB uint8 tiles of one shape -> float [N, 3, H, W] in [0, 1], as the training loader feeds them; each tile
// stain-normalised from its own pixels first when the model's store was (docs/stain.md).
at::Tensor to_batch(std::vector<Region>& tiles, const std::optional<image::StainReference>& stain) {
  const auto& first = tiles[0].pixels;
  auto out = torch::empty({int64_t(tiles.size()), first.height, first.width, 3}, torch::kUInt8);
  for (size_t i = 0; i < tiles.size(); ++i) {
    const auto& p = tiles[i].pixels;
    if (p.width != first.width || p.height != first.height || p.channels != 3) {
      throw Error(code::kConfigInvalid, "spec.tiles: rectangles in one batch must have one size (use batchSize 1 for pieces)");
    }
    if (stain) image::normalize_stain(*stain, tiles[i].pixels.data.data(), size_t(p.width) * size_t(p.height));
    std::memcpy(out[int64_t(i)].data_ptr<uint8_t>(), p.data.data(), p.data.size());
  }
  return out.permute({0, 3, 1, 2}).to(torch::kFloat).div_(255.f);
}

// spec.mean / spec.std: the per-channel statistics the model was trained with (default: none, pixels in [0, 1]).
std::pair<at::Tensor, at::Tensor> input_statistics(const Json& spec) {
  auto read = [&](const char* key, float fallback) {
    auto v = spec::get<std::vector<float>>(spec, key, {fallback, fallback, fallback});
    spec::check(v.size() == 3, key, "must hold 3 numbers (R, G, B)");
    for (float x : v) spec::check(std::isfinite(x) && (std::string(key) == "mean" || x > 0), key, "must be finite (std: positive)");
    return torch::tensor(v).view({1, 3, 1, 1});
  };
  return {read("mean", 0.f), read("std", 1.f)};
}

// spec: { path, mpp?, forceMpp?, tiles: [[x, y, w, h], ...] level-0 px, magnification, model, checkpoint, classes,
//         batchSize = 64, readers = 0 (tile reader threads, 0: usable cores; LibTorch's threads are the caller's),
//         channelsLast? (default: models/memory_format.h, from the first tile's size), device = "cpu" }
// -> { probabilities, readSeconds (reader threads' busy time, summed), waitSeconds (the model waiting for tiles),
//      modelSeconds, seconds, imagesPerSecond, channelsLast }
Json classify(const Json& spec, JobContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  MppOverride o{spec::get<double>(spec, "mpp", 0), spec::get<bool>(spec, "forceMpp", false)};
  auto slide = Slide::open(spec::require<std::string>(spec, "path"), o);
  const double mag = spec::require<double>(spec, "magnification");
  spec::check(mag > 0, "magnification", "must be positive");
  const int64_t classes = spec::require<int64_t>(spec, "classes");
  spec::check(classes >= 2, "classes", "must be >= 2");
  const int64_t batch = spec::get<int64_t>(spec, "batchSize", 64);
  spec::check(batch >= 1, "batchSize", "must be >= 1");
  const int readers = spec::get<int>(spec, "readers", 0);
  spec::check(readers >= 0, "readers", "must be >= 0 (0 = usable cores)");
  const auto device = parse_device(spec::get<std::string>(spec, "device", "cpu"));
  std::vector<Rect> rects;
  for (const auto& t : spec::require<Json>(spec, "tiles")) {
    spec::check(t.is_array() && t.size() == 4, "tiles", "each tile must be [x, y, width, height] in level-0 pixels");
    rects.push_back({t[0].get<double>(), t[1].get<double>(), t[2].get<double>(), t[3].get<double>()});
  }
  const double mpp = mpp_at(mag);
  int tile_w = 1, tile_h = 1;
  if (!rects.empty()) output_size(*slide, rects[0], mpp, tile_w, tile_h);
  const bool channels_last =
      models::use_channels_last(spec::optional<bool>(spec, "channelsLast"), device, /*training=*/false, tile_h, tile_w);
  auto model = run::build_model(models::read_model(spec), classes, 0, device, channels_last);
  models::load_weights(*model, spec::require<std::string>(spec, "checkpoint"));
  model->eval();
  c10::InferenceMode inference;
  const auto [mean, std] = input_statistics(spec);
  // spec.stain: the stain reference the model's store was normalised to (its weights metadata), or null.
  std::optional<image::StainReference> stain;
  if (const Json s = spec.value("stain", Json(nullptr)); !s.is_null())
    stain = image::stain_from_json(s, "spec.stain", code::kConfigInvalid);

  double model_s = 0;
  bool batch_parallel = false;  // any batch split across threads
  std::vector<float> probabilities(rects.size() * size_t(classes));
  auto last_progress = std::chrono::steady_clock::now();
  const auto times = read_ahead(*slide, rects, {mpp, size_t(batch), readers, 3}, ctx, [&](size_t first, std::vector<Region>& tiles) {
    ctx.check_cancelled();
    const auto m0 = std::chrono::steady_clock::now();
    auto x = models::to_memory_format(to_batch(tiles, stain).sub_(mean).div_(std).to(device), channels_last);
    batch_parallel |= models::splits_batch(*model, x);
    auto p = torch::softmax(models::forward(*model, x).second, 1).to(torch::kCPU).contiguous();
    std::memcpy(probabilities.data() + first * size_t(classes), p.data_ptr<float>(), size_t(p.numel()) * sizeof(float));
    model_s += seconds_since(m0);
    const size_t done = first + tiles.size();
    if (done == rects.size() || seconds_since(last_progress) > 0.1) {
      ctx.emit({{"type", "progress"}, {"done", done}, {"total", rects.size()}});
      last_progress = std::chrono::steady_clock::now();
    }
  });
  Json rows = Json::array();
  for (size_t i = 0; i < rects.size(); ++i)
    rows.push_back(
        std::vector<float>(probabilities.begin() + long(i * size_t(classes)), probabilities.begin() + long((i + 1) * size_t(classes))));
  const double total = seconds_since(t0);
  return {{"probabilities", rows},
          {"magnification", mag},
          {"tiles", rects.size()},
          {"readSeconds", times.read_thread_seconds},
          {"waitSeconds", times.wait_seconds},
          {"modelSeconds", model_s},
          {"seconds", total},
          {"channelsLast", channels_last},
          {"tileWidth", tile_w},
          {"tileHeight", tile_h},
          {"batchParallel", batch_parallel},
          {"imagesPerSecond", rects.empty() ? 0.0 : double(rects.size()) / total}};
}

const JobRegistrar kRegistrar("slide.classify", "classify level-0 rectangles of a slide read at a model's magnification", classify);

}  // namespace
}  // namespace rd::slide
