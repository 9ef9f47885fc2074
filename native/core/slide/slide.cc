// Opening and raw reads. Every OpenSlide call is followed by openslide_get_error: once a handle records an
// error it stays broken, so we turn it into SLIDE_READ_FAILED rather than return black pixels.
#include "slide/slide.h"

#include "slide/tiff_check.h"

#include <ATen/Parallel.h>
#include <openslide.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace rd::slide {

void argb_to_rgb(const uint32_t* argb, size_t n, uint8_t* rgb, const uint8_t* bg) {
  for (size_t i = 0; i < n; ++i, rgb += 3) {
    const uint32_t p = argb[i];
    const uint32_t a = p >> 24;
    if (a == 255) {
      rgb[0] = uint8_t(p >> 16);
      rgb[1] = uint8_t(p >> 8);
      rgb[2] = uint8_t(p);
    } else if (a == 0) {
      rgb[0] = bg[0];
      rgb[1] = bg[1];
      rgb[2] = bg[2];
    } else {  // same rounding as openslide-python's _convert.c
      rgb[0] = uint8_t((((p >> 16) & 255) * 255 + a / 2) / a);
      rgb[1] = uint8_t((((p >> 8) & 255) * 255 + a / 2) / a);
      rgb[2] = uint8_t(((p & 255) * 255 + a / 2) / a);
    }
  }
}

namespace {

// Classifies a path before OpenSlide sees it, so each bad input gets its own message.
void check_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) throw Error(code::kSlideNotFound, "slide '" + path + "' does not exist");
    throw Error(code::kSlideUnsupported, "cannot access '" + path + "': " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw Error(code::kSlideUnsupported, "'" + path + "' is a directory, not a slide file");
  if (!S_ISREG(st.st_mode)) throw Error(code::kSlideUnsupported, "'" + path + "' is not a regular file");
  if (st.st_size == 0) throw Error(code::kSlideUnsupported, "'" + path + "' is an empty file");
  if (::access(path.c_str(), R_OK) != 0) throw Error(code::kIo, "cannot read '" + path + "': " + std::strerror(errno));
}

// TIFF (classic or BigTIFF, either byte order): the container of SVS and generic slides.
bool looks_like_tiff(const std::string& path) {
  unsigned char magic[4] = {0, 0, 0, 0};
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  const size_t n = std::fread(magic, 1, 4, f);
  std::fclose(f);
  if (n < 4) return false;
  return (magic[0] == 'I' && magic[1] == 'I' && (magic[2] == 42 || magic[2] == 43) && magic[3] == 0) ||
         (magic[0] == 'M' && magic[1] == 'M' && magic[2] == 0 && (magic[3] == 42 || magic[3] == 43));
}

double snap(double ds) {
  double r = std::round(ds);
  return r >= 1 && std::fabs(ds - r) / ds < 0.01 ? r : ds;
}

}  // namespace

std::shared_ptr<Slide> Slide::open(const std::string& path, const MppOverride& mpp_override) {
  check_path(path);
  check_tiff(path);
  const char* vendor = openslide_detect_vendor(path.c_str());
  openslide_t* osr = openslide_open(path.c_str());
  if (osr == nullptr) {
    if (looks_like_tiff(path)) {
      throw Error(code::kSlideReadFailed, "'" + path + "' is a TIFF file that OpenSlide cannot read: truncated or corrupt, or a " +
                                              "plain (untiled) TIFF, which OpenSlide does not open");
    }
    throw Error(code::kSlideUnsupported, "'" + path + "' is not a slide format OpenSlide " + openslide_get_version() +
                                             " reads (Aperio SVS, generic tiled TIFF, NDPI, MRXS, ...)");
  }
  std::shared_ptr<Slide> s(new Slide());
  s->osr_ = osr;  // owned from here on: ~Slide closes it even if the checks below throw
  s->path_ = path;
  s->check("open (corrupt or truncated file?)");
  s->vendor_ = vendor ? vendor : "";
  for (const char* const* n = openslide_get_property_names(osr); n && *n; ++n) {
    const char* v = openslide_get_property_value(osr, *n);
    s->properties_[*n] = v ? v : "";
  }
  const int32_t count = openslide_get_level_count(osr);
  s->check("reading the level count");
  if (count < 1) throw Error(code::kSlideReadFailed, "'" + path + "' has no pyramid levels");
  for (int32_t l = 0; l < count; ++l) {
    Level lv;
    openslide_get_level_dimensions(osr, l, &lv.width, &lv.height);
    lv.downsample = openslide_get_level_downsample(osr, l);
    lv.scale = l == 0 ? 1.0 : snap(lv.downsample);
    s->levels_.push_back(lv);
  }
  s->check("reading level dimensions");
  for (const char* const* n = openslide_get_associated_image_names(osr); n && *n; ++n) s->associated_.push_back(*n);
  if (auto bg = s->property("openslide.background-color"); bg && bg->size() == 6) {
    unsigned long v = std::strtoul(bg->c_str(), nullptr, 16);
    s->background_[0] = uint8_t(v >> 16);
    s->background_[1] = uint8_t(v >> 8);
    s->background_[2] = uint8_t(v);
  }
  s->mpp_ = resolve_mpp(s->properties_, mpp_override, path);
  return s;
}

Slide::~Slide() {
  if (osr_) openslide_close(osr_);
}

void Slide::check(const std::string& what) const {
  if (const char* err = openslide_get_error(osr_)) {
    throw Error(code::kSlideReadFailed, "'" + path_ + "': " + what + ": " + err);
  }
}

std::optional<std::string> Slide::property(const std::string& name) const {
  auto it = properties_.find(name);
  if (it == properties_.end()) return std::nullopt;
  return it->second;
}

std::string Slide::quickhash() const { return property("openslide.quickhash-1").value_or(""); }

image::Image Slide::read_level(int level, int64_t lx, int64_t ly, int64_t w, int64_t h) const {
  if (level < 0 || level >= int(levels_.size())) throw Error(code::kConfigInvalid, "level " + std::to_string(level) + " does not exist");
  if (w <= 0 || h <= 0 || w * h > (int64_t(1) << 31))
    throw Error(code::kConfigInvalid, "region size must be positive and under 2^31 pixels");
  image::Image out(int(w), int(h), 3);
  // OpenSlide divides level-0 coordinates by its own downsample; this lands on level pixel (lx, ly).
  const double ds = levels_[level].downsample;
  const int64_t x0 = std::llround(double(lx) * ds);
  // Bands of <= 4 MiB ARGB, read in parallel for large regions (tiles are one band, so batch workers never nest).
  const int64_t rows = std::max<int64_t>(64, (int64_t(1) << 20) / w);
  const int64_t bands = (h + rows - 1) / rows;
  at::parallel_for(0, bands, 1, [&](int64_t b0, int64_t b1) {
    std::vector<uint32_t> argb(size_t(w) * size_t(std::min(rows, h)));
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r = b * rows, n = std::min(rows, h - r);
      openslide_read_region(osr_, argb.data(), x0, std::llround(double(ly + r) * ds), level, w, n);
      check("reading a region");
      argb_to_rgb(argb.data(), size_t(w) * n, out.row(int(r)), background_);
    }
  });
  return out;
}

image::Image Slide::associated(const std::string& name) const {
  int64_t w = -1, h = -1;
  openslide_get_associated_image_dimensions(osr_, name.c_str(), &w, &h);
  check("reading associated image '" + name + "'");
  if (w <= 0 || h <= 0) throw Error(code::kConfigInvalid, "no associated image '" + name + "'");
  std::vector<uint32_t> argb(size_t(w) * size_t(h));
  openslide_read_associated_image(osr_, name.c_str(), argb.data());
  check("reading associated image '" + name + "'");
  image::Image out(int(w), int(h), 3);
  argb_to_rgb(argb.data(), argb.size(), out.data.data(), background_);
  return out;
}

}  // namespace rd::slide
