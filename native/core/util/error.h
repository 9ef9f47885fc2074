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

// Every code the core raises, in one place; src/util/errors.ts lists the same and test/native/error-codes.test.ts
// checks it against `all` (exposed by versions().errorCodes).
namespace code {
inline constexpr const char* kConfigInvalid = "CONFIG_INVALID";
inline constexpr const char* kCancelled = "CANCELLED";
inline constexpr const char* kDeviceUnavailable = "DEVICE_UNAVAILABLE";
inline constexpr const char* kTorch = "TORCH_ERROR";
inline constexpr const char* kInternal = "INTERNAL";
inline constexpr const char* kOutOfMemory = "OUT_OF_MEMORY";
inline constexpr const char* kIo = "IO_ERROR";
inline constexpr const char* kDiskFull = "DISK_FULL";
inline constexpr const char* kResourceLimit = "RESOURCE_LIMIT";
inline constexpr const char* kStoreCorrupt = "STORE_CORRUPT";
inline constexpr const char* kStoreLocked = "STORE_LOCKED";
inline constexpr const char* kWeightsInvalid = "WEIGHTS_INVALID";
inline constexpr const char* kLossNotFinite = "LOSS_NOT_FINITE";
inline constexpr const char* kSlideNotFound = "SLIDE_NOT_FOUND";
inline constexpr const char* kSlideUnsupported = "SLIDE_UNSUPPORTED";
inline constexpr const char* kSlideNoMpp = "SLIDE_NO_MPP";
inline constexpr const char* kSlideReadFailed = "SLIDE_READ_FAILED";
inline constexpr const char* kRegionOutside = "REGION_OUTSIDE";
inline constexpr const char* kDistFailed = "DIST_FAILED";  // a data-parallel peer died, hung or never arrived
inline constexpr const char* all[] = {
    kConfigInvalid,    kCancelled,     kDeviceUnavailable, kTorch,         kInternal,       kOutOfMemory,   kIo,
    kDiskFull,         kResourceLimit, kStoreCorrupt,      kStoreLocked,   kWeightsInvalid, kLossNotFinite, kSlideNotFound,
    kSlideUnsupported, kSlideNoMpp,    kSlideReadFailed,   kRegionOutside, kDistFailed};
}  // namespace code

}  // namespace rd
