// Resampling kernels: area (box) for downsampling, bilinear for upsampling. Multi-threaded with
// at::parallel_for over output rows (LibTorch's intra-op threads; see util/threads.h).
#pragma once
#include "image/image.h"

namespace rd::image {

// A fractional source rectangle in source pixels; (x, y) is the top-left corner of the covered area.
struct SourceBox {
  double x = 0, y = 0, w = 0, h = 0;
};

// Area average of `box` onto out_w x out_h: each output pixel is the exact area-weighted mean of the
// source pixels it covers (fractional coverage at the edges). Integer factors take a fast path.
Image area_resample(const Image& src, const SourceBox& box, int out_w, int out_h);

// Integer-factor box reduction (like Pillow's Image.reduce); trailing pixels that do not fill a box are dropped.
Image area_reduce(const Image& src, int factor);

// Bilinear interpolation of `box` onto out_w x out_h (pixel centres aligned, edges clamped).
Image bilinear_resample(const Image& src, const SourceBox& box, int out_w, int out_h);

// Area when the output is no larger than the box on both axes, bilinear otherwise; `kernel` receives the name used.
Image resample(const Image& src, const SourceBox& box, int out_w, int out_h, const char** kernel = nullptr);

}  // namespace rd::image
