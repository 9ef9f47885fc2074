#include "data/loader.h"
#include "store/normalization.h"

#include <torch/cuda.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include "job/spec.h"
#include "store/parallel.h"
#include "util/error.h"
#include "util/threads.h"

namespace rd::data {
namespace {

// A fixed, seed-independent share of the pool: ids ordered by a hash, the first round(f * n) kept (at least one),
// so the unlabeled-size sweep compares nested sets.
std::vector<size_t> pool_share(std::vector<size_t> ids, double fraction) {
  if (fraction >= 1 || ids.empty()) return ids;
  std::sort(ids.begin(), ids.end(), [](size_t a, size_t b) { return splitmix(a) < splitmix(b); });
  ids.resize(std::max<size_t>(1, size_t(std::llround(fraction * double(ids.size())))));
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

Loader::Loader(LoaderOptions o) : opts_(std::move(o)) {
  spec::check(opts_.batch_size >= 1, "batchSize", "must be >= 1");
  spec::check(opts_.mode == "fixed" || opts_.mode == "exact" || opts_.mode == "bucket", "mode", "must be fixed, exact or bucket");
  spec::check(opts_.world >= 1 && opts_.rank >= 0 && opts_.rank < opts_.world, "rank", "needs 0 <= rank < world");
  spec::check(opts_.bucket_quantum >= 1, "bucketQuantum", "must be >= 1");
  spec::check(opts_.unlabeled_fraction > 0 && opts_.unlabeled_fraction <= 1, "unlabeledFraction", "must be in (0, 1]");
  store_ = store::Store::open(opts_.store);
  if (!store_->problems().empty()) {
    throw Error(code::kStoreCorrupt,
                "store '" + opts_.store + "': " + store_->problems()[0] +
                    (store_->problems().size() > 1 ? " (and " + std::to_string(store_->problems().size() - 1) + " more)" : "") +
                    "; run `resdistill store verify` for the full list");
  }
  if (opts_.dataset_normalization) {
    const auto n = store::dataset_normalization(*store_);
    std::copy(std::begin(n.mean), std::end(n.mean), std::begin(opts_.mean));
    std::copy(std::begin(n.std), std::end(n.std), std::begin(opts_.std));
  }
  const int mags = int(store_->magnifications());
  if (opts_.views.empty()) {
    for (int m = 0; m < mags; ++m) opts_.views.push_back(m);
  }
  for (size_t i = 0; i < opts_.views.size(); ++i) {
    spec::check(opts_.views[i] >= 0 && opts_.views[i] < mags, "views." + std::to_string(i),
                "must name a magnification 0.." + std::to_string(mags - 1));
  }
  hidden_.assign(store_->size(), false);
  for (size_t id : store_->split("unlabeled")) hidden_[id] = true;
  std::stringstream names(opts_.split);
  for (std::string part; std::getline(names, part, '+');) {
    std::vector<size_t> part_ids = store_->split(part);
    if (part == "unlabeled") part_ids = pool_share(part_ids, opts_.unlabeled_fraction);
    for (size_t id : part_ids) ids_.push_back(int64_t(id));
  }
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  spec::check(!ids_.empty(), "split", "'" + opts_.split + "' holds no samples");
  const auto& first = store_->sample(size_t(ids_[0]));
  for (int m : opts_.views) {
    const auto& v = first.views[size_t(m)];
    const int f = int(first.views[0].h / v.h);
    const bool whole = f * v.h == first.views[0].h && f * v.w == first.views[0].w;
    spec::check(opts_.mode != "bucket" || whole, "mode", "bucket needs whole-number ratios between magnifications");
    factor_.push_back(f);
    lcm_ = std::lcm(lcm_, int64_t(f));
  }
  if (opts_.mode == "fixed") {
    for (int64_t id : ids_) {
      const auto& s = store_->sample(size_t(id));
      if (s.views[0].h != first.views[0].h || s.views[0].w != first.views[0].w) {
        throw Error(code::kConfigInvalid, "spec.mode: 'fixed' needs one tile shape, but sample " + first.key + " is " +
                                              std::to_string(first.views[0].w) + "x" + std::to_string(first.views[0].h) + " and sample " +
                                              s.key + " is " + std::to_string(s.views[0].w) + "x" + std::to_string(s.views[0].h) +
                                              "; use mode 'exact' (batch 1) or 'bucket'");
      }
    }
  }
  mine_ = opts_.world > 1 ? ids_.size() / size_t(opts_.world) : ids_.size();
  pin_ = opts_.pin_memory && torch::cuda::is_available();
  if (opts_.threads <= 0) opts_.threads = usable_cores();
}

Loader::~Loader() { stop(); }

// The epoch's batches: seeded shuffle, then this rank's share, then batching by mode.
std::vector<std::vector<Loader::Item>> Loader::plan_epoch(int64_t epoch) const {
  std::vector<int64_t> order = ids_;
  std::mt19937_64 rng(opts_.seed * 0x9E3779B97F4A7C15ULL + uint64_t(epoch) + 1);
  if (opts_.shuffle) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  }
  if (opts_.world > 1) {
    std::vector<int64_t> share;
    for (size_t k = 0; k < mine_; ++k) share.push_back(order[k * size_t(opts_.world) + size_t(opts_.rank)]);
    order.swap(share);
  }
  const int64_t q = (opts_.bucket_quantum + lcm_ - 1) / lcm_ * lcm_;
  std::vector<Item> items;
  for (int64_t id : order) {
    const auto& v0 = store_->sample(size_t(id)).views[0];
    Item it{id, v0.h, v0.w};
    if (opts_.mode == "bucket") {
      it.h = v0.h >= q ? v0.h / q * q : v0.h / lcm_ * lcm_;
      it.w = v0.w >= q ? v0.w / q * q : v0.w / lcm_ * lcm_;
    }
    items.push_back(it);
  }
  std::vector<std::vector<Item>> batches;
  const size_t bs = opts_.mode == "exact" ? 1 : size_t(opts_.batch_size);
  auto chunk = [&](const std::vector<Item>& list) {
    for (size_t i = 0; i < list.size(); i += bs) {
      if (opts_.drop_last && i + bs > list.size()) break;
      batches.emplace_back(list.begin() + long(i), list.begin() + long(std::min(list.size(), i + bs)));
    }
  };
  if (opts_.mode != "bucket") {
    chunk(items);
    return batches;
  }
  std::map<std::pair<int64_t, int64_t>, std::vector<Item>> buckets;
  for (const Item& it : items) buckets[{it.h, it.w}].push_back(it);
  for (const auto& [_, list] : buckets) chunk(list);
  if (opts_.shuffle) {
    for (size_t i = batches.size(); i > 1; --i) std::swap(batches[i - 1], batches[rng() % i]);
  }
  return batches;
}

Batch Loader::make_batch(const std::vector<Item>& items, int64_t epoch, int64_t index) const {
  const int64_t B = int64_t(items.size());
  std::vector<AugmentParams> params;
  for (const Item& it : items) params.push_back(draw_params(opts_.augment, opts_.seed, epoch, it.id, B == 1 || it.h == it.w));
  Batch batch;
  batch.epoch = epoch, batch.index = index;
  const auto options = at::TensorOptions().dtype(at::kFloat).pinned_memory(pin_);
  for (size_t m = 0; m < opts_.views.size(); ++m) {
    int64_t h = items[0].h / factor_[m], w = items[0].w / factor_[m];
    if (opts_.mode != "bucket") {
      const auto& v = store_->sample(size_t(items[0].id)).views[size_t(opts_.views[m])];
      h = v.h, w = v.w;
    }
    if (params[0].rot & 1) std::swap(h, w);
    batch.views.push_back(at::empty({B, 3, h, w}, options));
  }
  batch.params = params;
  batch.labels = at::empty({B}, at::kLong);
  batch.ids = at::empty({B}, at::kLong);
  store::parallel_for(size_t(B), opts_.threads, [&](size_t b) {
    const Item& it = items[b];
    if (opts_.verify) store_->check(size_t(it.id));
    const auto& s = store_->sample(size_t(it.id));
    batch.labels.data_ptr<int64_t>()[b] = hidden_[size_t(it.id)] ? -1 : s.label;
    batch.ids.data_ptr<int64_t>()[b] = it.id;
    const int64_t y0 = (s.views[0].h - it.h) / 2 / lcm_ * lcm_, x0 = (s.views[0].w - it.w) / 2 / lcm_ * lcm_;
    for (size_t m = 0; m < opts_.views.size(); ++m) {
      const auto view = store_->view(size_t(it.id), size_t(opts_.views[m]));
      data::Crop crop{0, 0, view.h, view.w};
      if (opts_.mode == "bucket") crop = {y0 / factor_[m], x0 / factor_[m], it.h / factor_[m], it.w / factor_[m]};
      at::Tensor& out = batch.views[m];
      render_view(view, crop, params[b], opts_.mean, opts_.std, out.data_ptr<float>() + int64_t(b) * out.stride(0));
    }
  });
  return batch;
}

void Loader::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

// Background producer: keeps up to `prefetch` batches ready; an error is handed to next() in order.
void Loader::produce(int64_t epoch) {
  for (size_t i = 0; i < plan_.size(); ++i) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || ready_.size() < size_t(opts_.prefetch); });
      if (stop_) return;
    }
    try {
      Batch b = make_batch(plan_[i], epoch, int64_t(i));
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(b));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::current_exception();
      done_ = true;
      cv_.notify_all();
      return;
    }
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  cv_.notify_all();
}

void Loader::start_epoch(int64_t epoch) {
  stop();
  ready_.clear();
  error_ = nullptr;
  stop_ = false, done_ = false;
  epoch_ = epoch;
  consumed_ = 0;
  plan_ = plan_epoch(epoch);
  if (opts_.prefetch > 0) worker_ = std::thread([this, epoch] { produce(epoch); });
}

std::optional<Batch> Loader::next() {
  if (epoch_ < 0) start_epoch(0);
  if (opts_.prefetch <= 0) {
    if (consumed_ >= plan_.size()) return std::nullopt;
    const size_t i = consumed_++;
    return make_batch(plan_[i], epoch_, int64_t(i));
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !ready_.empty() || done_; });
  if (!ready_.empty()) {
    Batch b = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return b;
  }
  if (error_) {
    auto e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
  return std::nullopt;
}

}  // namespace rd::data
