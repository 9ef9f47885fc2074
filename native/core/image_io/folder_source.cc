// Source kind "images": PNG/JPEG files at a user-given mpp. The file is the top of the pyramid (level 0);
// each requested magnification is its area downsample by an integer factor, after a centred crop to a multiple
// of every factor so all views cover exactly the same field of view.
#include <cmath>
#include <numeric>

#include "image_io/decode.h"
#include "image_io/file_hash.h"
#include "store/manifest_csv.h"
#include "store/box_filter.h"
#include "store/sample_source.h"
#include "util/error.h"
#include "util/magnification.h"

namespace rd::image_io {
namespace {

using store::Extracted;
using store::SourceEntry;

class ImageFolderSource : public store::SampleSource {
 public:
  ImageFolderSource(const nlohmann::json& spec, const std::vector<double>& mpps) : spec_(spec) {
    if (!spec.contains("mpp") || !spec["mpp"].is_number() || spec["mpp"].get<double>() <= 0) {
      throw Error(code::kConfigInvalid,
                  "spec.source.mpp: required positive number (the images' microns per pixel; "
                  "image files carry no trustworthy mpp, so it is never assumed)");
    }
    mpp_ = spec["mpp"];
    for (size_t i = 0; i < mpps.size(); ++i) {
      const double f = mpps[i] / mpp_;
      const int fi = int(std::lround(f));
      if (fi < 1 || std::abs(f - fi) > 1e-6 * f) {
        char b[200];
        std::snprintf(b, sizeof b, "spec.magnifications.%zu: %.4gx is not the images' %.4gx (mpp %.4g) divided by a whole number", i,
                      magnification_at(mpps[i]), magnification_at(mpp_), mpp_);
        throw Error(code::kConfigInvalid, b);
      }
      factors_.push_back(fi);
      lcm_ = std::lcm(lcm_, fi);
      bytes_per_source_pixel_ += 3.0 / (double(fi) * fi);
    }
    std::vector<std::string> declared = spec.value("classes", std::vector<std::string>{});
    store::ImageList list = store::list_images(spec.value("root", ""), spec.value("csv", ""), declared);
    classes_ = list.classes;
    for (auto& r : list.rows) {
      SourceEntry e{r.path, std::nullopt, r.group, nlohmann::json::object()};
      if (!r.label.empty()) e.label = int(std::find(classes_.begin(), classes_.end(), r.label) - classes_.begin());
      entries_.push_back(std::move(e));
    }
  }

  const std::vector<SourceEntry>& entries() const override { return entries_; }
  const std::vector<std::string>& classes() const override { return classes_; }
  nlohmann::json describe() const override {
    nlohmann::json d = {{"kind", "images"}, {"mpp", mpp_}, {"mppSource", "user (spec.source.mpp)"}};
    for (const char* k : {"root", "csv"}) {
      if (spec_.contains(k)) d[k] = spec_[k];
    }
    return d;
  }

  Extracted extract(size_t i, const std::vector<double>& mpps) const override {
    const SourceEntry& e = entries_.at(i);
    FileHash hash = hash_file(e.source);
    Rgb img = decode_rgb(e.source, bytes_per_source_pixel_);
    const int64_t h = img.h / lcm_ * lcm_, w = img.w / lcm_ * lcm_;
    if (h == 0 || w == 0) {
      throw Error(code::kConfigInvalid, "'" + e.source + "' (" + std::to_string(img.w) + "x" + std::to_string(img.h) +
                                            ") is smaller than the largest downsampling factor " + std::to_string(lcm_));
    }
    const int64_t y0 = (img.h - h) / 2, x0 = (img.w - w) / 2;
    std::vector<uint8_t> crop(size_t(h * w * 3));
    for (int64_t y = 0; y < h; ++y) {
      std::copy_n(img.pixels.data() + ((y0 + y) * img.w + x0) * 3, w * 3, crop.data() + y * w * 3);
    }
    Extracted out;
    nlohmann::json views = nlohmann::json::array();
    for (size_t m = 0; m < factors_.size(); ++m) {
      out.views.push_back(store::box_downsample(crop.data(), h, w, 3, factors_[m], 1));
      views.push_back({{"magnification", magnification_at(mpps[m])},
                       {"targetMpp", mpps[m]},
                       {"factor", factors_[m]},
                       {"kernel", factors_[m] == 1 ? "none (level 0 pixels)" : "box (area mean of factor x factor, round half up)"},
                       {"effectiveMpp", mpp_ * factors_[m]},
                       {"shape", {out.views.back().h, out.views.back().w, 3}}});
    }
    out.provenance = {{"source", {{"path", e.source}, {"sha256", hash.sha256}, {"bytes", hash.bytes}, {"format", img.format}}},
                      {"level", 0},
                      {"levelMpp", mpp_},
                      {"mppSource", "user (spec.source.mpp)"},
                      {"sourceSize", {img.h, img.w}},
                      {"crop", {{"x", x0}, {"y", y0}, {"w", w}, {"h", h}}},
                      {"views", views}};
    return out;
  }

 private:
  nlohmann::json spec_;
  double mpp_ = 0;
  std::vector<int> factors_;
  int lcm_ = 1;
  double bytes_per_source_pixel_ = 6;  // the decode and its crop (3 + 3), then each view adds 3 / factor^2
  std::vector<std::string> classes_;
  std::vector<SourceEntry> entries_;
};

const store::SourceRegistrar kImages("images", [](const nlohmann::json& spec, const std::vector<double>& mpps) {
  return std::make_unique<ImageFolderSource>(spec, mpps);
});

}  // namespace
}  // namespace rd::image_io
