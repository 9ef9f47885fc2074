// NumPy .npy (format 1.0) for uint8 HWC images: the store's pixel member, readable by numpy.load.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rd::store {

// The largest side a stored view may claim (a million pixels): larger shapes in an index or header are damage.
inline constexpr uint64_t kMaxViewSide = uint64_t(1) << 20;

struct NpyShape {
  int64_t h = 0, w = 0, c = 0;
};

// The header (magic, version, dict, padding) for a C-order |u1 array; its length is a multiple of 64.
std::string npy_header(const NpyShape& shape);

// Parses a header at `data`; returns false (and leaves `why`) unless it is a C-order |u1 3-D array.
bool npy_parse(const uint8_t* data, size_t size, NpyShape& shape, size_t& header_bytes, std::string& why);

// An RGB uint8 H x W x 3 .npy file (a job's input image). IO when unreadable; CONFIG_INVALID naming `field` otherwise.
struct RgbImage {
  NpyShape shape;
  std::vector<uint8_t> pixels;
};
RgbImage read_rgb_npy(const std::string& path, const std::string& field);

}  // namespace rd::store
