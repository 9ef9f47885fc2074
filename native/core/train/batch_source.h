// What the training loop consumes: batches of paired views (one tensor per magnification) from any loader.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rd::train {

struct Batch {
  std::vector<at::Tensor> views;  // float NCHW, normalised, one per requested magnification, same samples and augmentation
  at::Tensor labels;              // int64 (N); -1 for unlabeled samples
  std::vector<int64_t> ids;       // sample indices in the store
  std::vector<std::string> groups;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Order and augmentation are a pure function of (seed, epoch), so a resumed epoch replays exactly.
  virtual void start_epoch(int64_t epoch) = 0;
  virtual bool next(Batch& out) = 0;
  virtual int64_t batches_per_epoch() const = 0;
  virtual int64_t samples() const = 0;
};

}  // namespace rd::train
