// Plain interleaved uint8 images and masks: the currency of slide reading, resampling and tissue detection.
// No LibTorch or OpenSlide types here, so callers (store, loaders, tests) can use them directly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rd::image {

// Row-major HWC uint8 (channels = 3 for RGB, 1 for masks).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<uint8_t> data;

  Image() = default;
  Image(int w, int h, int c) : width(w), height(h), channels(c), data(size_t(w) * size_t(h) * size_t(c)) {}
  uint8_t* row(int y) { return data.data() + size_t(y) * size_t(width) * size_t(channels); }
  const uint8_t* row(int y) const { return data.data() + size_t(y) * size_t(width) * size_t(channels); }
  size_t stride() const { return size_t(width) * size_t(channels); }
  bool empty() const { return width <= 0 || height <= 0; }
};

// A binary mask is a one-channel Image holding 0 or 1.
using Mask = Image;

}  // namespace rd::image
