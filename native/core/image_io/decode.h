// Decodes PNG (libpng) and JPEG (libjpeg) files to 8-bit RGB HWC. Only extraction needs this folder:
// it is left out of builds with RESDISTILL_WITH_IMAGE_IO=OFF (training hosts read prepared stores).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rd::image_io {

struct Rgb {
  std::vector<uint8_t> pixels;
  int64_t h = 0, w = 0;
  std::string format;  // "png" or "jpeg"
};

// Throws IO_ERROR naming the file when it is missing, of another format, or damaged. Before any pixel is decoded,
// the declared width x height times `bytes_per_pixel` (the decode, 3, plus what the caller derives from it) is
// checked against the memory budget: RESOURCE_LIMIT naming the file and its declared size.
Rgb decode_rgb(const std::string& path, double bytes_per_pixel = 3);

}  // namespace rd::image_io
