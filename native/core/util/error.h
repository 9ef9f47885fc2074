// The core's one exception type. `code` is stable and becomes the JS error's `code`.
#pragma once
#include <stdexcept>
#include <string>

namespace rd {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// Codes shared by every layer; TypeScript mirrors them in src/errors.ts.
namespace code {
inline constexpr const char* kConfigInvalid = "CONFIG_INVALID";
inline constexpr const char* kCancelled = "CANCELLED";
inline constexpr const char* kDeviceUnavailable = "DEVICE_UNAVAILABLE";
inline constexpr const char* kTorch = "TORCH_ERROR";
inline constexpr const char* kInternal = "INTERNAL";
inline constexpr const char* kIo = "IO_ERROR";
inline constexpr const char* kDiskFull = "DISK_FULL";
inline constexpr const char* kResourceLimit = "RESOURCE_LIMIT";
inline constexpr const char* kStoreCorrupt = "STORE_CORRUPT";
inline constexpr const char* kDistFailed = "DIST_FAILED";  // a data-parallel peer died, hung or never arrived
}  // namespace code

}  // namespace rd
