// Parses "cpu" / "cuda" / "cuda:N" and fails with DEVICE_UNAVAILABLE instead of a LibTorch crash.
#pragma once
#include <string>

#include <c10/core/Device.h>

namespace rd {

c10::Device parse_device(const std::string& name);

}  // namespace rd
