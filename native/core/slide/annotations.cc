#include "slide/annotations.h"

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace rd::slide {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw Error(code::kConfigInvalid, "annotations " + path + ": " + what);
}

double signed_area(const Ring& r) {
  double a = 0;
  for (size_t i = 0; i + 1 < r.size(); ++i) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return a / 2;
}

Ring ring_of(const json& j, const std::string& path, const std::string& where) {
  if (!j.is_array() || j.size() < 4) bad(path, where + ": a linear ring needs at least 4 positions");
  Ring r;
  for (const auto& p : j) {
    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) bad(path, where + ": a position is [x, y]");
    r.push_back({p[0].get<double>(), p[1].get<double>()});
  }
  return r;
}

AnnotatedRegion region_of(const json& polygon, const std::string& name, const std::string& path, const std::string& where) {
  if (!polygon.is_array() || polygon.empty()) bad(path, where + ": a polygon is an array of rings");
  AnnotatedRegion region{name, {}, 0};
  for (const auto& ring : polygon) region.rings.push_back(ring_of(ring, path, where));
  region.area = std::abs(signed_area(region.rings[0]));
  for (size_t i = 1; i < region.rings.size(); ++i) region.area -= std::abs(signed_area(region.rings[i]));
  return region;
}

// Even-odd over every ring: inside the exterior and outside its holes.
bool covers(const AnnotatedRegion& region, double x, double y) {
  bool inside = false;
  for (const auto& r : region.rings) {
    for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
      const auto& a = r[i];
      const auto& b = r[j];
      if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
    }
  }
  return inside;
}

}  // namespace

Annotations Annotations::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) bad(path, "cannot read the file");
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded()) bad(path, "not valid JSON");
  json features;
  if (doc.is_array())
    features = doc;
  else if (doc.is_object() && doc.value("type", "") == "FeatureCollection" && doc.contains("features") && doc["features"].is_array())
    features = doc["features"];
  else if (doc.is_object() && doc.value("type", "") == "Feature")
    features = json::array({doc});
  else
    bad(path, "expected a GeoJSON FeatureCollection, a Feature or an array of features");
  Annotations out;
  for (size_t i = 0; i < features.size(); ++i) {
    const json& f = features[i];
    const std::string where = "feature " + std::to_string(i);
    if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object()) continue;
    const json* cls = f.contains("properties") && f["properties"].is_object() && f["properties"].contains("classification")
                          ? &f["properties"]["classification"]
                          : nullptr;
    if (!cls || !cls->is_object() || !cls->contains("name") || !(*cls)["name"].is_string()) continue;  // unclassified: labels nothing
    const std::string name = (*cls)["name"].get<std::string>();
    const json& g = f["geometry"];
    const std::string type = g.value("type", "");
    if (!g.contains("coordinates")) continue;
    if (type == "Polygon")
      out.regions.push_back(region_of(g["coordinates"], name, path, where));
    else if (type == "MultiPolygon" && g["coordinates"].is_array()) {
      for (const auto& polygon : g["coordinates"]) out.regions.push_back(region_of(polygon, name, path, where));
    }
  }
  if (out.regions.empty()) bad(path, "no Polygon or MultiPolygon feature with properties.classification.name");
  return out;
}

std::optional<std::string> Annotations::class_at(double x, double y) const {
  const AnnotatedRegion* best = nullptr;
  for (const auto& r : regions) {
    if ((!best || r.area < best->area) && covers(r, x, y)) best = &r;
  }
  if (!best) return std::nullopt;
  return best->name;
}

}  // namespace rd::slide
