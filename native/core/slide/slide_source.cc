// Source kind "slides": whole-slide images listed in a CSV (path,label,group[,annotations]). Tissue is detected on a
// thumbnail; the unit of work is a tile grid in microns or the paper's whole tissue pieces. Every magnification
// of a sample is one read_multi of the same level-0 rectangle, so fields of view match exactly. A slide with
// annotations (GeoJSON regions) labels each tile by the region covering its centre and drops tiles outside them.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

#include "job/spec.h"
#include "slide/annotations.h"
#include "slide/api.h"
#include "store/manifest_csv.h"
#include "store/sample_source.h"
#include "util/error.h"
#include "util/magnification.h"

namespace rd::slide {
namespace {

using store::Extracted;
using store::SourceEntry;

class SlideSource : public store::SampleSource {
 public:
  SlideSource(const nlohmann::json& spec, const std::vector<double>& mpps) : spec_(spec) {
    const auto csv = spec::require<std::string>(spec, "csv");
    // The unit's fields with a default are required: the experiment config (data.unit) owns those defaults.
    unit_ = spec::require<std::string>(spec, "unit");
    const bool tiles = unit_ == "tiles";
    const double size_um = tiles ? spec::require<double>(spec, "sizeUm") : 1.0;
    const double stride_um = spec::get<double>(spec, "strideUm", 0.0);  // 0: size_um (no overlap)
    const double min_tissue = tiles ? spec::require<double>(spec, "minTissue") : 0.0;
    const int max_per_slide = spec::get<int>(spec, "maxPerSlide", 0);
    SlideTissueOptions tissue_options;
    if (!tiles) tissue_options.min_area_um2 = spec::require<double>(spec, "minAreaUm2");
    const double max_size_um = spec::get<double>(spec, "maxSizeUm", 0.0);  // 0: pieces whole
    spec::check(tissue_options.min_area_um2 >= 0, "source.minAreaUm2", "must be >= 0");
    spec::check(max_size_um >= 0, "source.maxSizeUm", "must be >= 0");
    override_.value = spec::get<double>(spec, "mpp", 0.0);
    override_.force = spec::get<bool>(spec, "forceMpp", false);
    spec::check(unit_ == "tiles" || unit_ == "pieces", "source.unit", "use tiles or pieces");
    spec::check(size_um > 0, "source.sizeUm", "must be > 0");
    spec::check(stride_um >= 0, "source.strideUm", "must be >= 0");
    const double coarsest = *std::max_element(mpps.begin(), mpps.end());
    // Fields of view are whole pixels at every magnification when they are multiples of the coarsest mpp.
    if (tiles)
      spec::check(std::abs(size_um / coarsest - std::round(size_um / coarsest)) < 1e-6, "source.sizeUm",
                  "must be a multiple of the coarsest requested mpp (" + std::to_string(coarsest) + " um)");

    const auto declared = spec.value("classes", std::vector<std::string>{});
    store::ImageList list = store::list_images("", csv, declared, false);
    std::map<std::string, Annotations> annotations;
    for (const auto& row : list.rows) {
      if (!row.annotations.empty()) annotations.emplace(row.path, Annotations::load(row.annotations));
    }
    classes_ = with_annotated_classes(list.classes, declared, annotations);
    for (const auto& row : list.rows) {
      auto slide = open(row.path);
      const double mpp0 = slide->mpp().x;
      auto tissue = detect_tissue(*slide, tissue_options);
      std::vector<Rect> rects;
      if (unit_ == "tiles") {
        for (const auto& t : tile_grid(*slide, tissue, {size_um, stride_um, min_tissue})) rects.push_back(t.rect);
      } else {
        for (const auto& p : tissue.pieces) {
          for (const auto& r : split(p.rect, max_size_um / mpp0)) rects.push_back(snap(r, coarsest / mpp0));
        }
      }
      std::vector<std::string> labels(rects.size(), row.label);
      if (auto a = annotations.find(row.path); a != annotations.end()) {
        std::vector<Rect> kept;
        labels.clear();
        for (const auto& r : rects) {
          if (auto name = a->second.class_at(r.x + r.w / 2, r.y + r.h / 2)) kept.push_back(r), labels.push_back(*name);
        }
        rects = std::move(kept);
      }
      if (max_per_slide > 0 && int(rects.size()) > max_per_slide) rects.resize(size_t(max_per_slide));
      for (size_t k = 0; k < rects.size(); ++k) {
        const Rect& r = rects[k];
        SourceEntry e{row.path, std::nullopt, row.group, {{"x", r.x}, {"y", r.y}, {"w", r.w}, {"h", r.h}, {"unit", unit_}}};
        if (!labels[k].empty()) e.label = int(std::find(classes_.begin(), classes_.end(), labels[k]) - classes_.begin());
        entries_.push_back(std::move(e));
      }
    }
  }

  const std::vector<SourceEntry>& entries() const override { return entries_; }
  const std::vector<std::string>& classes() const override { return classes_; }
  nlohmann::json describe() const override {
    return {{"kind", "slides"}, {"csv", spec_.value("csv", "")}, {"unit", unit_}, {"mppOverride", override_.value}};
  }

  Extracted extract(size_t i, const std::vector<double>& mpps) const override {
    const SourceEntry& e = entries_.at(i);
    auto slide = open(e.source);
    const Rect rect{e.where["x"], e.where["y"], e.where["w"], e.where["h"]};
    Extracted out;
    nlohmann::json views = nlohmann::json::array();
    for (auto& region : read_multi(*slide, rect, mpps)) {
      const auto& px = region.pixels;
      out.views.push_back({px.data, px.height, px.width, 3});
      views.push_back({{"magnification", magnification_at(region.target_mpp)},
                       {"targetMpp", region.target_mpp},
                       {"level", region.level},
                       {"levelMpp", region.level_mpp},
                       {"kernel", region.kernel},
                       {"effectiveMpp", region.mpp_x},
                       {"shape", {px.height, px.width, 3}}});
    }
    out.provenance = {{"source", {{"path", e.source}, {"quickhash", slide->quickhash()}, {"vendor", slide->vendor()}}},
                      {"mpp", slide->mpp().x},
                      {"mppSource", slide->mpp().source},
                      {"where", e.where},
                      {"views", views}};
    return out;
  }

 private:
  // The CSV's classes plus the annotations' (sorted), or the declared ones, which must then name every annotation class.
  static std::vector<std::string> with_annotated_classes(const std::vector<std::string>& listed, const std::vector<std::string>& declared,
                                                         const std::map<std::string, Annotations>& annotations) {
    std::set<std::string> all(listed.begin(), listed.end());
    for (const auto& [slide, a] : annotations) {
      for (const auto& region : a.regions) {
        if (!declared.empty() && std::find(declared.begin(), declared.end(), region.name) == declared.end()) {
          throw Error(code::kConfigInvalid, "annotations of " + slide + ": class '" + region.name + "' is not among spec.source.classes");
        }
        all.insert(region.name);
      }
    }
    return declared.empty() ? std::vector<std::string>(all.begin(), all.end()) : declared;
  }

  // Grows a level-0 box so its sides are whole multiples of `step` level-0 pixels (the coarsest view's pixel).
  // A piece larger than max_px on a side becomes a grid of equal cells no larger than max_px (0: whole).
  static std::vector<Rect> split(const Rect& r, double max_px) {
    if (max_px <= 0 || (r.w <= max_px && r.h <= max_px)) return {r};
    const double nx = std::ceil(r.w / max_px), ny = std::ceil(r.h / max_px), w = r.w / nx, h = r.h / ny;
    std::vector<Rect> cells;
    for (double j = 0; j < ny; ++j) {
      for (double i = 0; i < nx; ++i) cells.push_back({r.x + i * w, r.y + j * h, w, h});
    }
    return cells;
  }

  static Rect snap(const Rect& r, double step) {
    const double w = std::ceil(r.w / step) * step, h = std::ceil(r.h / step) * step;
    return {r.x - (w - r.w) / 2, r.y - (h - r.h) / 2, w, h};
  }

  // Slides are opened once per process and shared between extraction threads (reads are thread-safe).
  std::shared_ptr<Slide> open(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = open_[path];
    if (!slot) slot = Slide::open(path, override_);
    return slot;
  }

  nlohmann::json spec_;
  std::string unit_;
  MppOverride override_;
  std::vector<std::string> classes_;
  std::vector<SourceEntry> entries_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<Slide>> open_;
};

const store::SourceRegistrar kSlides("slides", [](const nlohmann::json& spec, const std::vector<double>& mpps) {
  return std::make_unique<SlideSource>(spec, mpps);
});

}  // namespace
}  // namespace rd::slide
