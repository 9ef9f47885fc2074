// The training loader: reads a store through memory maps and yields batches of paired views.
//
//   rd::data::Loader loader(rd::data::LoaderOptions::from_json(spec));  // or fill LoaderOptions directly
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.start_epoch(epoch);                 // seeded order for this epoch; prefetching starts
//     while (auto batch = loader.next()) {       // std::nullopt at the end of the epoch
//       auto teacher = batch->views[0];          // float [B, 3, H0, W0], normalised (pinned when CUDA is present)
//       auto student = batch->views[1];          // float [B, 3, H1, W1]: same tissue, same augmentation
//       auto y = batch->labels;                  // int64 [B], -1 for unlabeled samples
//     }
//   }
//
// Modes: "fixed" (every sample has one shape; batches of batchSize), "exact" (batch 1, any shape: the paper's
// whole tissue pieces with gradient accumulation), "bucket" (samples grouped by size, centre-cropped to the
// bucket's shape, batches within a bucket). rank/world give each data-parallel worker a disjoint, equal share.
// Errors: STORE_CORRUPT (naming shard and sample) on a damaged store, CONFIG_INVALID naming the option.
#pragma once
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "data/augment.h"
#include "store/store_reader.h"

namespace rd::data {

struct LoaderOptions {
  std::string store;
  std::string split = "train";    // train | val | test | unlabeled | all | "train+unlabeled" (joins with +)
  double unlabeled_fraction = 1;  // share of the unlabeled pool used; smaller shares are subsets of larger ones
  std::vector<int> views;         // magnification indices to return (0 = highest); empty = all
  int64_t batch_size = 16;
  std::string mode = "fixed";   // fixed | exact | bucket
  int64_t bucket_quantum = 64;  // bucket mode: size step in m0 pixels
  bool shuffle = true, drop_last = false;
  uint64_t seed = 0;
  AugmentSpec augment;
  float mean[3] = {0, 0, 0}, std[3] = {1, 1, 1};  // applied after scaling to [0, 1]
  bool dataset_normalization = false;             // mean/std from the store's manifest instead (store/normalization.h)
  int rank = 0, world = 1;
  int prefetch = 2;        // batches prepared ahead on a background thread; 0 = prepare in next()
  int threads = 0;         // threads filling one batch; 0 = usable cores
  bool pin_memory = true;  // only when CUDA is available
  bool verify = true;      // CRC-check each sample the first time it is read
  static LoaderOptions from_json(const nlohmann::json& spec);
};

struct Batch {
  std::vector<at::Tensor> views;      // one float [B, 3, H, W] per requested magnification
  at::Tensor labels;                  // int64 [B]
  at::Tensor ids;                     // int64 [B]: store sample ids
  std::vector<AugmentParams> params;  // the augmentation each sample got (same for all its views)
  int64_t epoch = 0, index = 0;
};

class Loader {
 public:
  explicit Loader(LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  void start_epoch(int64_t epoch);
  std::optional<Batch> next();
  size_t batches() const { return plan_.size(); }  // in the current epoch, for this rank
  size_t samples() const { return mine_; }         // per epoch, for this rank
  const store::Store& store() const { return *store_; }
  const std::vector<int>& views() const { return opts_.views; }
  const LoaderOptions& options() const { return opts_; }

 private:
  struct Item {
    int64_t id;
    int64_t h, w;  // m0 shape after the bucket crop
  };
  std::vector<std::vector<Item>> plan_epoch(int64_t epoch) const;
  Batch make_batch(const std::vector<Item>& items, int64_t epoch, int64_t index) const;
  void stop();
  void produce(int64_t epoch);

  LoaderOptions opts_;
  std::shared_ptr<store::Store> store_;
  std::vector<int64_t> ids_;
  std::vector<bool> hidden_;  // per store sample: in the unlabeled pool, so its label reads as -1
  std::vector<int> factor_;   // per requested view: m0 size / view size
  int64_t lcm_ = 1;
  size_t mine_ = 0;
  bool pin_ = false;

  std::vector<std::vector<Item>> plan_;
  int64_t epoch_ = -1;
  size_t consumed_ = 0;
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stop_ = false, done_ = false;
};

}  // namespace rd::data
