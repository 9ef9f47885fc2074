// Jobs over the loader, for tests, benchmarks and quick looks from the CLI or the driver:
//   "data.scan": runs whole epochs, returns throughput, ids seen and per-label counts.
//   "data.peek": writes the first batches as float32 .npy files (B x 3 x H x W per magnification) for inspection.
#include <chrono>
#include <fstream>

#include "data/loader.h"
#include "job/job.h"
#include "job/spec.h"
#include "store/atomic_file.h"
#include "util/error.h"

namespace rd::data {
namespace {

Json run_scan(const Json& spec, JobContext& ctx) {
  Loader loader(LoaderOptions::from_json(spec));
  const int64_t epochs = spec::get<int64_t>(spec, "epochs", 1);
  const bool return_ids = spec::get<bool>(spec, "returnIds", false);
  Json ids = Json::array(), shapes = Json::array();
  bool pinned = false;
  std::map<int64_t, int64_t> labels;
  int64_t images = 0, batches = 0;
  double checksum = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t e = 0; e < epochs; ++e) {
    loader.start_epoch(e);
    Json epoch_ids = Json::array();
    while (auto b = loader.next()) {
      ctx.check_cancelled();
      images += b->ids.size(0);
      ++batches;
      for (int64_t i = 0; i < b->ids.size(0); ++i) {
        labels[b->labels[i].item<int64_t>()]++;
        if (return_ids) epoch_ids.push_back(b->ids[i].item<int64_t>());
      }
      if (shapes.empty()) {
        for (const auto& v : b->views) shapes.push_back(v.sizes().vec());
        pinned = b->views[0].is_pinned();
      }
      checksum += b->views.back().sum().item<double>();
      if (batches % 16 == 0) ctx.emit({{"type", "progress"}, {"done", b->index + 1}, {"total", loader.batches()}, {"epoch", e}});
    }
    if (return_ids) ids.push_back(epoch_ids);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Json by_label = Json::object();
  for (auto [l, n] : labels) by_label[std::to_string(l)] = n;
  return {{"images", images},
          {"batches", batches},
          {"seconds", seconds},
          {"imagesPerSecond", images / std::max(seconds, 1e-9)},
          {"samplesPerEpoch", loader.samples()},
          {"pinned", pinned},
          {"firstShapes", shapes},
          {"labels", by_label},
          {"ids", ids},
          {"checksum", checksum}};
}

// float32 C-order .npy of a [B, 3, H, W] tensor, for tests and notebooks.
void write_npy_f32(const std::string& path, const at::Tensor& t) {
  std::string shape;
  for (auto s : t.sizes()) shape += std::to_string(s) + ", ";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
  size_t total = 10 + dict.size() + 1, padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  std::string head("\x93NUMPY\x01\x00", 8);
  head.push_back(char(dict.size() & 0xFF));
  head.push_back(char(dict.size() >> 8));
  at::Tensor c = t.contiguous();
  store::TempFile f(path);
  f.write(head.data(), head.size());
  f.write(dict.data(), dict.size());
  f.write(c.data_ptr<float>(), size_t(c.numel()) * sizeof(float));
  f.commit();
}

Json run_peek(const Json& spec, JobContext& ctx) {
  Loader loader(LoaderOptions::from_json(spec));
  const std::string out = spec::require<std::string>(spec, "out");
  const int64_t count = spec::get<int64_t>(spec, "batches", 1);
  loader.start_epoch(spec::get<int64_t>(spec, "epoch", 0));
  Json result = Json::array();
  for (int64_t k = 0; k < count; ++k) {
    ctx.check_cancelled();
    auto b = loader.next();
    if (!b) break;
    Json files = Json::array(), ids = Json::array(), labels = Json::array();
    for (size_t m = 0; m < b->views.size(); ++m) {
      const std::string path = out + "/batch" + std::to_string(k) + "_view" + std::to_string(loader.views()[m]) + ".npy";
      write_npy_f32(path, b->views[m]);
      files.push_back({{"path", path}, {"shape", b->views[m].sizes().vec()}, {"magnification", loader.views()[m]}});
    }
    Json params = Json::array();
    for (int64_t i = 0; i < b->ids.size(0); ++i) {
      ids.push_back(b->ids[i].item<int64_t>()), labels.push_back(b->labels[i].item<int64_t>());
      const AugmentParams& p = b->params[size_t(i)];
      params.push_back({{"flipHorizontal", p.hflip},
                        {"flipVertical", p.vflip},
                        {"rot", p.rot},
                        {"jitter", p.jitter},
                        {"brightness", p.brightness},
                        {"contrast", p.contrast},
                        {"saturation", p.saturation},
                        {"hue", p.hue},
                        {"order", std::vector<int>(std::begin(p.order), std::end(p.order))}});
    }
    result.push_back({{"files", files}, {"ids", ids}, {"labels", labels}, {"params", params}});
  }
  return {{"batches", result}};
}

const JobRegistrar kScan("data.scan", "run the store loader for whole epochs (throughput, ids, labels)", run_scan);
const JobRegistrar kPeek("data.peek", "write the loader's first batches as float32 .npy files", run_peek);

}  // namespace
}  // namespace rd::data
