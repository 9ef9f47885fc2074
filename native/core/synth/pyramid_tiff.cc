// libtiff writer for the synthetic slides' pyramids.
#include "synth/pyramid_tiff.h"

#include <tiffio.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "util/error.h"

namespace rd::synth {
namespace {

struct TiffCloser {
  void operator()(TIFF* t) const {
    if (t) TIFFClose(t);
  }
};

// Sets the tags of one level's directory; level > 0 is marked as a reduced-resolution image.
void set_tags(TIFF* t, const RgbImage& img, int level, double downsample, const TiffOptions& o) {
  TIFFSetField(t, TIFFTAG_SUBFILETYPE, level == 0 ? 0 : FILETYPE_REDUCEDIMAGE);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, uint32_t(img.width));
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, uint32_t(img.height));
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(t, TIFFTAG_TILEWIDTH, uint32_t(o.tile));
  TIFFSetField(t, TIFFTAG_TILELENGTH, uint32_t(o.tile));
  if (o.compression == "jpeg") {
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
    TIFFSetField(t, TIFFTAG_YCBCRSUBSAMPLING, 2, 2);
    TIFFSetField(t, TIFFTAG_JPEGQUALITY, o.quality);
    TIFFSetField(t, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);  // we hand libtiff RGB; it converts
  } else {
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(t, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
  }
  const float per_cm = float(1e4 / (o.mpp * downsample));
  TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_CENTIMETER);
  TIFFSetField(t, TIFFTAG_XRESOLUTION, per_cm);
  TIFFSetField(t, TIFFTAG_YRESOLUTION, per_cm);
  TIFFSetField(t, TIFFTAG_SOFTWARE, "resdistill synth.cohort (SYNTHETIC)");
  if (level == 0 && !o.description.empty()) TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, o.description.c_str());
}

// Writes one level as tiles; edge tiles are padded with white.
void write_level(TIFF* t, const RgbImage& img, const TiffOptions& o, const std::function<void()>& check, const std::string& path) {
  const int T = o.tile;
  std::vector<uint8_t> tile(size_t(T) * T * 3);
  for (int ty = 0; ty < img.height; ty += T) {
    check();
    for (int tx = 0; tx < img.width; tx += T) {
      std::fill(tile.begin(), tile.end(), uint8_t(255));
      const int w = std::min(T, img.width - tx), h = std::min(T, img.height - ty);
      for (int r = 0; r < h; ++r) std::memcpy(&tile[size_t(r) * T * 3], &img.rgb[(size_t(ty + r) * img.width + tx) * 3], size_t(w) * 3);
      if (TIFFWriteEncodedTile(t, TIFFComputeTile(t, uint32_t(tx), uint32_t(ty), 0, 0), tile.data(), tmsize_t(tile.size())) < 0)
        throw Error(code::kIo, "cannot write a tile of '" + path + "' (disk full?)");
    }
  }
}

}  // namespace

RgbImage halve(const RgbImage& in) {
  RgbImage out;
  out.width = std::max(1, in.width / 2);
  out.height = std::max(1, in.height / 2);
  out.rgb.resize(size_t(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* r0 = &in.rgb[size_t(2 * y) * in.width * 3];
    const uint8_t* r1 = &in.rgb[size_t(std::min(2 * y + 1, in.height - 1)) * in.width * 3];
    uint8_t* o = &out.rgb[size_t(y) * out.width * 3];
    for (int x = 0; x < out.width; ++x) {
      const int x1 = std::min(2 * x + 1, in.width - 1);
      for (int c = 0; c < 3; ++c) o[3 * x + c] = uint8_t((r0[6 * x + c] + r0[3 * x1 + c] + r1[6 * x + c] + r1[3 * x1 + c] + 2) / 4);
    }
  }
  return out;
}

std::vector<LevelInfo> write_pyramid_tiff(const std::string& path, const RgbImage& base, const TiffOptions& o,
                                          const std::function<void()>& check) {
  const std::string tmp = path + ".tmp";
  std::vector<LevelInfo> levels;
  try {
    std::unique_ptr<TIFF, TiffCloser> t(TIFFOpen(tmp.c_str(), "w"));
    if (!t) throw Error(code::kIo, "cannot create '" + tmp + "': " + std::strerror(errno));
    const RgbImage* img = &base;
    RgbImage smaller;
    double downsample = 1;
    for (int level = 0;; ++level) {
      set_tags(t.get(), *img, level, downsample, o);
      write_level(t.get(), *img, o, check, path);
      if (!TIFFWriteDirectory(t.get())) throw Error(code::kIo, "cannot write a directory of '" + tmp + "' (disk full?)");
      levels.push_back({img->width, img->height, downsample});
      if (std::max(img->width, img->height) <= o.tile) break;
      smaller = halve(*img);
      img = &smaller;
      downsample *= 2;
    }
    if (!TIFFFlush(t.get())) throw Error(code::kIo, "cannot flush '" + tmp + "' (disk full?)");
    t.reset();
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw Error(code::kIo, "cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  } catch (...) {
    std::error_code ignore;
    std::filesystem::remove(tmp, ignore);
    throw;
  }
  return levels;
}

}  // namespace rd::synth
