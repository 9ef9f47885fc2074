// Lists an image-folder source: one sub-folder per class, or a CSV with columns path,label,group (slides may add
// annotations: a GeoJSON file of labelled regions per slide).
// Every problem (missing file, unknown label, bad row, duplicate) is collected and reported at once.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace rd::store {

struct ImageRow {
  std::string path;   // absolute or relative to the working folder, as resolved
  std::string label;  // "" = unlabeled
  std::string group;
  std::string annotations;  // "" = none; else the GeoJSON's path, resolved like path
};

struct ImageList {
  std::vector<ImageRow> rows;
  std::vector<std::string> classes;  // the declared ones, else the sorted labels seen
};

// root: class folders (files sorted); csv: manifest (paths relative to the CSV's folder). Exactly one is set.
// declared: the config's classes, or empty. Throws CONFIG_INVALID with one line per problem.
// images_only=false accepts any file (slides: OpenSlide decides what it can read, with typed errors).
ImageList list_images(const std::string& root, const std::string& csv, const std::vector<std::string>& declared, bool images_only = true);

}  // namespace rd::store
