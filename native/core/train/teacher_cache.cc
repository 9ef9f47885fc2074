#include "train/teacher_cache.h"

#include <torch/torch.h>

#include <chrono>

namespace rd::train {
namespace {

int64_t key_of(int64_t id, bool hflip, bool vflip, int rot) { return id * 16 + int(hflip) + 2 * int(vflip) + 4 * rot; }

// The loader's geometry on an NCHW tensor: flips first, then quarter turns counter-clockwise (torch.rot90).
at::Tensor transform(at::Tensor x, bool hflip, bool vflip, int rot) {
  if (hflip) x = x.flip({-1});
  if (vflip) x = x.flip({-2});
  return rot ? torch::rot90(x, rot, {-2, -1}) : x;
}

}  // namespace

bool geometric_only(const data::AugmentSpec& a) {
  return !a.enabled || (a.brightness == 0 && a.contrast == 0 && a.saturation == 0 && a.hue == 0);
}

void TeacherCache::store(const std::vector<int64_t>& keys, const at::Tensor& map, const at::Tensor& logits) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (entries_.count(keys[i])) continue;
    Entry e{map[int64_t(i)].clone(), logits[int64_t(i)].clone()};
    bytes_ += int64_t(e.map.nbytes() + e.logits.nbytes());
    entries_.emplace(keys[i], std::move(e));
  }
}

std::pair<at::Tensor, at::Tensor> TeacherCache::outputs(const data::Batch& batch, const at::Tensor& hi, int64_t h, int64_t w) {
  const int64_t n = batch.ids.size(0);
  const auto ids = batch.ids.accessor<int64_t, 1>();
  std::vector<int64_t> keys(static_cast<size_t>(n));
  int64_t missing = 0;
  for (int64_t i = 0; i < n; ++i) {
    const data::AugmentParams& p = batch.params[size_t(i)];
    keys[size_t(i)] = key_of(ids[i], p.hflip, p.vflip, p.rot);
    missing += entries_.count(keys[size_t(i)]) ? 0 : 1;
  }
  if (missing > 0) {
    auto [ft, zt] = teacher_(hi);
    store(keys, resize_teacher_map(ft.to(torch::kFloat), h, w, resize_), zt.to(torch::kFloat));
  }
  misses_ += missing;
  hits_ += n - missing;
  std::vector<at::Tensor> maps, logits;
  for (int64_t k : keys) {
    const Entry& e = entries_.at(k);
    maps.push_back(e.map), logits.push_back(e.logits);
  }
  return {torch::stack(maps), torch::stack(logits)};
}

void TeacherCache::fill(data::Loader& plain, const data::AugmentSpec& a, const MapSize& map_size, const c10::Device& device,
                        JobContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool on = a.enabled;
  plain.start_epoch(0);
  int64_t done = 0;
  const int64_t total = int64_t(plain.samples());
  while (auto b = plain.next()) {
    ctx.check_cancelled();
    const at::Tensor& lo = b->views[0];
    const at::Tensor hi = b->views[1].to(device, true);
    const int64_t n = b->ids.size(0);
    // Quarter turns the loader can draw: any for square samples or batch 1, otherwise only 0 and 180 degrees.
    const bool square = n == 1 || lo.size(2) == lo.size(3);
    const auto ids = b->ids.accessor<int64_t, 1>();
    for (int hf = 0; hf <= int(on && a.flips); ++hf) {
      for (int vf = 0; vf <= int(on && a.flips); ++vf) {
        for (int rot = 0; rot < 4; ++rot) {
          if (rot > 0 && !(on && a.rot90 && (square || rot == 2))) continue;
          std::vector<int64_t> keys;
          for (int64_t i = 0; i < n; ++i) keys.push_back(key_of(ids[i], hf, vf, rot));
          const auto [mh, mw] = (rot & 1) ? map_size(lo.size(3), lo.size(2)) : map_size(lo.size(2), lo.size(3));
          auto [ft, zt] = teacher_(transform(hi, hf, vf, rot));
          store(keys, resize_teacher_map(ft.to(torch::kFloat), mh, mw, resize_), zt.to(torch::kFloat));
        }
      }
    }
    done += n;
    ctx.emit({{"type", "teacherCache"}, {"done", done}, {"total", total}, {"entries", int64_t(entries_.size())}, {"bytes", bytes_}});
  }
  fill_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Json TeacherCache::stats() const {
  return {{"entries", int64_t(entries_.size())}, {"bytes", bytes_}, {"hits", hits_}, {"misses", misses_}, {"fillSeconds", fill_seconds_}};
}

}  // namespace rd::train
