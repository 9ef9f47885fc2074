// Labelled regions drawn on a slide, read from GeoJSON as QuPath exports it (File > Export objects as GeoJSON):
// Polygon and MultiPolygon features in level-0 pixels, their class in properties.classification.name. Extraction
// labels a tile with the class of the region covering its centre.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace rd::slide {

using Ring = std::vector<std::array<double, 2>>;

// One polygon (its exterior ring and holes) and its class.
struct AnnotatedRegion {
  std::string name;
  std::vector<Ring> rings;
  double area = 0;  // exterior minus holes, in level-0 pixels squared
};

struct Annotations {
  std::vector<AnnotatedRegion> regions;

  // A FeatureCollection, a single Feature or a bare array of features. Features without a classification name,
  // and geometries other than (Multi)Polygon, are skipped; a malformed file is CONFIG_INVALID naming it.
  static Annotations load(const std::string& path);

  // The class of the smallest region covering (x, y) (nested regions: the inner one), or none.
  std::optional<std::string> class_at(double x, double y) const;
};

}  // namespace rd::slide
