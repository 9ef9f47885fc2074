#include "util/device.h"

#include <torch/cuda.h>

#include "util/error.h"

namespace rd {

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw Error(code::kDeviceUnavailable, "device '" + name + "' requested but this LibTorch sees no CUDA device");
    }
    return c10::Device(name);
  }
  throw Error(code::kConfigInvalid, "unknown device '" + name + "' (use cpu, cuda or cuda:N)");
}

}  // namespace rd
