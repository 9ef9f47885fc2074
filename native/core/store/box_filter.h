// Area (box) downsampling of uint8 HWC images by an integer factor: each output pixel is the rounded mean of
// an f x f block, so every magnification covers exactly the same field of view. Multithreaded over rows.
#pragma once
#include <cstdint>

#include "store/sample_source.h"

namespace rd::store {

// in: h x w x c with h, w multiples of f. threads <= 0: all usable cores.
View box_downsample(const uint8_t* in, int64_t h, int64_t w, int64_t c, int factor, int threads = 1);

}  // namespace rd::store
