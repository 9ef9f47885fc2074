// An open whole-slide image: an RAII OpenSlide handle plus everything read once at open (levels,
// properties, associated image names, resolved microns per pixel). Thread-safe for reads (OpenSlide is).
//
//   auto s = rd::slide::Slide::open("x.svs");            // throws rd::Error with a SLIDE_* code
//   s->mpp().x, s->mpp().source                            // 0.499, "openslide.mpp-x/y"
//   auto rgb = s->read_level(0, x, y, 256, 256);          // level-0 RGB, background where outside
// Reading at an exact magnification lives in slide/region.h, tissue and tile grids in slide/tissue_grid.h.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/image.h"
#include "slide/mpp.h"
#include "util/magnification.h"

typedef struct _openslide openslide_t;  // same declaration as <openslide.h>; keeps it out of this header

namespace rd::slide {

struct Level {
  int64_t width = 0, height = 0;
  double downsample = 1;  // as OpenSlide reports it
  double scale = 1;       // level-0 pixels per level pixel used for coordinates (downsample snapped to an
                          // integer when within 1%: pyramids halve with rounding, so OpenSlide's mean drifts)
};

class Slide {
 public:
  // Opens `path`. Errors: SLIDE_NOT_FOUND (no such file), SLIDE_UNSUPPORTED (directory, empty file, not a
  // format OpenSlide reads), SLIDE_READ_FAILED (recognised but corrupt/truncated), SLIDE_NO_MPP (no mpp source).
  static std::shared_ptr<Slide> open(const std::string& path, const MppOverride& mpp_override = {});
  ~Slide();
  Slide(const Slide&) = delete;
  Slide& operator=(const Slide&) = delete;

  const std::string& path() const { return path_; }
  const std::string& vendor() const { return vendor_; }
  int64_t width() const { return levels_[0].width; }
  int64_t height() const { return levels_[0].height; }
  const std::vector<Level>& levels() const { return levels_; }
  const std::map<std::string, std::string>& properties() const { return properties_; }
  std::optional<std::string> property(const std::string& name) const;
  const std::vector<std::string>& associated_names() const { return associated_; }
  const MppResolution& mpp() const { return mpp_; }
  double magnification() const { return magnification_at(mpp_.x); }
  std::string quickhash() const;                             // openslide.quickhash-1
  const uint8_t* background() const { return background_; }  // RGB used where the slide has no pixels

  // RGB pixels of `level`, w x h level pixels starting at level pixel (lx, ly); un-premultiplied, transparent
  // pixels (outside the slide or empty tiles) become background(). Throws SLIDE_READ_FAILED on any read error.
  image::Image read_level(int level, int64_t lx, int64_t ly, int64_t w, int64_t h) const;
  // An associated image (label, macro, thumbnail) as RGB; CONFIG_INVALID for an unknown name.
  image::Image associated(const std::string& name) const;

 private:
  Slide() = default;
  void check(const std::string& what) const;  // throws SLIDE_READ_FAILED if OpenSlide recorded an error

  openslide_t* osr_ = nullptr;
  std::string path_, vendor_;
  std::vector<Level> levels_;
  std::map<std::string, std::string> properties_;
  std::vector<std::string> associated_;
  MppResolution mpp_;
  uint8_t background_[3] = {255, 255, 255};
};

// Premultiplied ARGB (OpenSlide's native-endian uint32) to RGB; alpha 0 becomes `background`.
void argb_to_rgb(const uint32_t* argb, size_t n, uint8_t* rgb, const uint8_t* background);

}  // namespace rd::slide
