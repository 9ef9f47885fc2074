// "slide.classify": a trained model over level-0 rectangles of one slide, each read straight at the model's
// magnification (what a deployed low-magnification student costs). Tiles are read in chunks on a thread pool,
// then classified in batches; returns softmax probabilities per rectangle and the time of each part.
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "job/job.h"
#include "job/spec.h"
#include "models/safetensors.h"
#include "slide/api.h"
#include "run/model_spec.h"
#include "util/device.h"

namespace rd::slide {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// RGB uint8 tiles of one shape -> float [N, 3, H, W] in [0, 1], as the training loader feeds them.
at::Tensor to_batch(const std::vector<Region>& tiles, size_t begin, size_t end) {
  const auto& first = tiles[begin].pixels;
  auto out = torch::empty({int64_t(end - begin), first.height, first.width, 3}, torch::kUInt8);
  for (size_t i = begin; i < end; ++i) {
    const auto& p = tiles[i].pixels;
    if (p.width != first.width || p.height != first.height || p.channels != 3) {
      throw Error(code::kConfigInvalid, "spec.tiles: rectangles must all have one size (tile " + std::to_string(i) + " differs)");
    }
    std::memcpy(out[int64_t(i - begin)].data_ptr<uint8_t>(), p.data.data(), p.data.size());
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
//         batchSize = 32, threads = 0, device = "cpu" } -> { probabilities, readSeconds, modelSeconds, seconds, tilesPerSecond }
Json classify(const Json& spec, JobContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  MppOverride o{spec::get<double>(spec, "mpp", 0), spec::get<bool>(spec, "forceMpp", false)};
  auto slide = Slide::open(spec::require<std::string>(spec, "path"), o);
  const double mag = spec::require<double>(spec, "magnification");
  spec::check(mag > 0, "magnification", "must be positive");
  const int64_t classes = spec::require<int64_t>(spec, "classes");
  spec::check(classes >= 2, "classes", "must be >= 2");
  const int64_t batch = spec::get<int64_t>(spec, "batchSize", 32);
  spec::check(batch >= 1, "batchSize", "must be >= 1");
  const int threads = spec::get<int>(spec, "threads", 0);
  const auto device = parse_device(spec::get<std::string>(spec, "device", "cpu"));
  std::vector<Rect> rects;
  for (const auto& t : spec::require<Json>(spec, "tiles")) {
    spec::check(t.is_array() && t.size() == 4, "tiles", "each tile must be [x, y, width, height] in level-0 pixels");
    rects.push_back({t[0].get<double>(), t[1].get<double>(), t[2].get<double>(), t[3].get<double>()});
  }
  const bool channels_last = device.is_cpu();  // as training's default: faster oneDNN convolutions on CPU
  auto model = run::build_model(models::read_model(spec), classes, 0, device, channels_last);
  models::load_weights(*model, spec::require<std::string>(spec, "checkpoint"));
  model->eval();
  torch::NoGradGuard no_grad;
  const auto [mean, std] = input_statistics(spec);

  const double mpp = 10.0 / mag;
  const size_t chunk = size_t(std::max<int64_t>(batch * 8, 256));
  double read_s = 0, model_s = 0;
  Json probabilities = Json::array();
  for (size_t begin = 0; begin < rects.size(); begin += chunk) {
    const size_t end = std::min(rects.size(), begin + chunk);
    std::vector<Rect> part(rects.begin() + long(begin), rects.begin() + long(end));
    std::vector<Region> tiles(part.size());
    auto r0 = std::chrono::steady_clock::now();
    read_batch(*slide, part, {mpp}, threads, ctx, [&](size_t i, std::vector<Region>&& views) { tiles[i] = std::move(views[0]); });
    read_s += seconds_since(r0);
    auto m0 = std::chrono::steady_clock::now();
    for (size_t b = 0; b < tiles.size(); b += size_t(batch)) {
      ctx.check_cancelled();
      const size_t e = std::min(tiles.size(), b + size_t(batch));
      auto x = to_batch(tiles, b, e).sub_(mean).div_(std).to(device);
      if (channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
      auto p = torch::softmax(std::get<1>(model->forward(x)), 1).to(torch::kCPU).contiguous();
      for (int64_t i = 0; i < p.size(0); ++i) {
        probabilities.push_back(std::vector<float>(p[i].data_ptr<float>(), p[i].data_ptr<float>() + classes));
      }
    }
    model_s += seconds_since(m0);
    ctx.emit({{"type", "progress"}, {"done", end}, {"total", rects.size()}});
  }
  const double total = seconds_since(t0);
  return {{"probabilities", probabilities}, {"magnification", mag}, {"tiles", rects.size()}, {"readSeconds", read_s},
          {"modelSeconds", model_s}, {"seconds", total}, {"tilesPerSecond", rects.empty() ? 0.0 : double(rects.size()) / total}};
}

const JobRegistrar kRegistrar("slide.classify", "classify level-0 rectangles of a slide read at a model's magnification", classify);

}  // namespace
}  // namespace rd::slide
