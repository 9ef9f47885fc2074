// RAII mixed-precision autocast for one device type; the API moved between LibTorch 1.13 and 2.4, guarded here.
#pragma once
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

namespace rd::models {

class AutocastGuard {
 public:
  // enabled=false makes the guard a no-op, so call sites need no branches.
  AutocastGuard(c10::DeviceType device, bool enabled, c10::ScalarType dtype = c10::kBFloat16);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_;
  c10::DeviceType device_;
  bool prev_enabled_ = false;
  c10::ScalarType prev_dtype_ = c10::kBFloat16;
};

}  // namespace rd::models
