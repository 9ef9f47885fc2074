// Teacher outputs kept per (sample, flip/rotation) for distillation without colour jitter. The frozen teacher is
// deterministic, so each geometric variant of a sample needs one teacher forward for the whole run; later
// epochs train the student alone. Stores the logits and the feature map already resized by g to the student's
// map, so the cache is small (a few KB per variant) and the loss is unchanged.
#pragma once
#include <ATen/ATen.h>

#include <functional>
#include <unordered_map>
#include <utility>

#include "data/loader.h"
#include "job/job.h"
#include "train/losses.h"

namespace rd::train {

class TeacherCache {
 public:
  using Teacher = std::function<std::pair<at::Tensor, at::Tensor>(const at::Tensor&)>;  // hi -> (f_t, z_t), no grad
  using MapSize = std::function<std::pair<int64_t, int64_t>(int64_t h, int64_t w)>;     // student input -> map size

  TeacherCache(Teacher teacher, TeacherResize resize) : teacher_(std::move(teacher)), resize_(resize) {}

  // (g(f_t) at h x w, z_t) for every sample of the batch; runs the teacher on the batch only if a sample is new.
  std::pair<at::Tensor, at::Tensor> outputs(const data::Batch& batch, const at::Tensor& hi, int64_t h, int64_t w);

  // Fills the cache with every flip/rotation `augment` can draw, from a loader giving un-augmented
  // (student, teacher) views in that order; emits "teacherCache" progress events.
  void fill(data::Loader& plain, const data::AugmentSpec& augment, const MapSize& map_size, const c10::Device& device, JobContext& ctx);

  Json stats() const;

 private:
  struct Entry {
    at::Tensor map, logits;  // g(f_t) [C, h, w] and z_t [K]
  };
  void store(const std::vector<int64_t>& keys, const at::Tensor& map, const at::Tensor& logits);

  Teacher teacher_;
  TeacherResize resize_;
  std::unordered_map<int64_t, Entry> entries_;
  int64_t hits_ = 0, misses_ = 0, bytes_ = 0;
  double fill_seconds_ = 0;
};

// True when `augment` draws no colour jitter, so a sample's teacher input depends only on its flips/rotation.
bool geometric_only(const data::AugmentSpec& augment);

}  // namespace rd::train
