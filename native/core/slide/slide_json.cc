// Field names here are the TypeScript API's (camelCase); src/slide/slide.ts declares the same shapes.
#include "slide/slide_json.h"
#include "util/magnification.h"

namespace rd::slide {

using nlohmann::json;

json info_json(const Slide& s) {
  json levels = json::array();
  for (const auto& l : s.levels())
    levels.push_back(
        {{"width", l.width}, {"height", l.height}, {"downsample", l.downsample}, {"scale", l.scale}, {"mpp", s.mpp().x * l.scale}});
  return {{"path", s.path()},
          {"vendor", s.vendor()},
          {"width", s.width()},
          {"height", s.height()},
          {"levels", levels},
          {"mpp", {{"x", s.mpp().x}, {"y", s.mpp().y}, {"source", s.mpp().source}, {"trail", s.mpp().trail}}},
          {"magnification", s.magnification()},
          {"associatedImages", s.associated_names()},
          {"quickhash", s.quickhash()},
          {"background", {s.background()[0], s.background()[1], s.background()[2]}},
          {"properties", s.properties()}};
}

json region_json(const Region& r) {
  return {{"width", r.pixels.width},
          {"height", r.pixels.height},
          {"level", r.level},
          {"levelMpp", r.level_mpp},
          {"mpp", {{"x", r.mpp_x}, {"y", r.mpp_y}}},
          {"targetMpp", r.target_mpp},
          {"magnification", magnification_at(r.target_mpp)},
          {"kernel", r.kernel},
          {"rect", {{"x", r.rect.x}, {"y", r.rect.y}, {"width", r.rect.w}, {"height", r.rect.h}}}};
}

json mask_rle(const image::Mask& m) {
  json runs = json::array();
  const size_t n = m.data.size();
  for (size_t i = 0; i < n;) {
    if (!m.data[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && m.data[j]) ++j;
    runs.push_back(i);
    runs.push_back(j - i);
    i = j;
  }
  return runs;
}

json tissue_json(const SlideTissue& t, bool with_masks) {
  json pieces = json::array();
  for (const auto& p : t.pieces) {
    json pj = {{"box", {{"x", p.rect.x}, {"y", p.rect.y}, {"width", p.rect.w}, {"height", p.rect.h}}},
               {"thumbBox", {{"x", p.piece.x}, {"y", p.piece.y}, {"width", p.piece.w}, {"height", p.piece.h}}},
               {"areaUm2", p.area_um2},
               {"pixels", p.piece.area}};
    if (with_masks) pj["maskRle"] = mask_rle(p.piece.mask);
    pieces.push_back(pj);
  }
  json out = {{"thumbnail",
               {{"width", t.thumbnail.pixels.width},
                {"height", t.thumbnail.pixels.height},
                {"mpp", {{"x", t.thumbnail.mpp_x}, {"y", t.thumbnail.mpp_y}}},
                {"targetMpp", t.thumbnail.target_mpp},
                {"level", t.thumbnail.level}}},
              {"threshold", t.tissue.threshold},
              {"otsu", t.tissue.otsu},
              {"coverage", t.tissue.coverage()},
              {"pieces", pieces}};
  if (with_masks) out["mask"] = {{"width", t.tissue.mask.width}, {"height", t.tissue.mask.height}, {"rle", mask_rle(t.tissue.mask)}};
  return out;
}

json tiles_json(const Slide& s, const std::vector<Tile>& tiles) {
  json arr = json::array();
  for (const auto& t : tiles)
    arr.push_back({{"x", t.rect.x},
                   {"y", t.rect.y},
                   {"width", t.rect.w},
                   {"height", t.rect.h},
                   {"xUm", t.x_um},
                   {"yUm", t.y_um},
                   {"sizeUm", t.size_um},
                   {"tissue", t.tissue},
                   {"piece", t.piece}});
  (void)s;
  return arr;
}

}  // namespace rd::slide
