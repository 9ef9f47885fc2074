#include "store/manifest_csv.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "util/error.h"
#include "util/input_limits.h"

namespace rd::store {
namespace {

namespace fs = std::filesystem;

bool is_image(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), ::tolower);
  return e == ".png" || e == ".jpg" || e == ".jpeg";
}

// RFC-4180 style: commas separate, double quotes enclose, "" is a literal quote.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
      out.back() += '"', ++i;
    else if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.emplace_back();
    else if (c != '\r')
      out.back() += c;
  }
  for (auto& f : out) {
    f.erase(0, f.find_first_not_of(" \t"));
    f.erase(f.find_last_not_of(" \t") + 1);
  }
  return out;
}

ImageList from_folders(const std::string& root, std::vector<std::string>& problems) {
  ImageList list;
  std::error_code ec;  // every look-up with an error code: a symlink loop or unreadable entry is a problem, not a crash
  if (!fs::is_directory(root, ec)) {
    problems.push_back("spec.source.root: '" + root + "' is not a folder" + (ec ? " (" + ec.message() + ")" : ""));
    return list;
  }
  auto unreadable = [&](const fs::path& p, const std::error_code& e) {
    problems.push_back("'" + p.string() + "': cannot be read (" + e.message() + ")");
  };
  // Lists `dir`'s entries, each with whether `want` holds; a loop or unreadable entry becomes a problem.
  auto entries = [&](const fs::path& dir, auto want) {
    std::vector<fs::path> out;
    std::error_code e;
    fs::directory_iterator it(dir, e), end;
    if (e) unreadable(dir, e);
    for (; !e && it != end; it.increment(e)) {
      std::error_code se;
      const bool ok = want(*it, se);
      if (se)
        unreadable(it->path(), se);
      else if (ok)
        out.push_back(it->path());
    }
    if (e) unreadable(dir, e);
    return out;
  };
  auto classes = entries(root, [](const fs::directory_entry& d, std::error_code& e) { return d.is_directory(e); });
  std::sort(classes.begin(), classes.end());
  for (const auto& c : classes) {
    auto files = entries(c, [](const fs::directory_entry& f, std::error_code& e) { return f.is_regular_file(e) && is_image(f.path()); });
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      list.rows.push_back({f.string(), c.filename().string(), c.filename().string() + "/" + f.stem().string()});
    }
  }
  if (list.rows.empty()) problems.push_back("spec.source.root: no PNG or JPEG images in class folders under '" + root + "'");
  return list;
}

ImageList from_csv(const std::string& csv, bool images_only, std::vector<std::string>& problems) {
  ImageList list;
  std::error_code ec;  // a device file or an endless stream (/dev/zero, a FIFO) is refused before reading
  if (fs::exists(csv, ec) && (!fs::is_regular_file(csv, ec) || fs::file_size(csv, ec) > kMaxTextInputBytes)) {
    problems.push_back("spec.source.csv: '" + csv + "' is " +
                       (fs::is_regular_file(csv, ec) ? "larger than " + std::to_string(kMaxTextInputBytes) + " bytes"
                                                     : "not a regular file (a device or stream?)"));
    return list;
  }
  std::ifstream in(csv);
  if (!in) {
    problems.push_back("spec.source.csv: cannot read '" + csv + "'");
    return list;
  }
  const fs::path base = fs::path(csv).parent_path();
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark (Excel writes one) is not part of the header
  auto header = split_csv(line);
  int col[4] = {-1, -1, -1, -1};
  const char* names[4] = {"path", "label", "group", "annotations"};
  for (int k = 0; k < 4; ++k) {
    auto it = std::find(header.begin(), header.end(), names[k]);
    if (it != header.end()) col[k] = int(it - header.begin());
  }
  if (col[0] < 0 || col[1] < 0) {
    problems.push_back(csv + ": line 1: the header must name the columns path,label[,group] (got '" + line + "')");
    return list;
  }
  std::set<std::string> seen;
  for (int row = 2; std::getline(in, line); ++row) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto f = split_csv(line);
    const std::string at = csv + ": line " + std::to_string(row) + ": ";
    if (f.size() != header.size()) {
      problems.push_back(at + "has " + std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
      continue;
    }
    fs::path p = f[size_t(col[0])];
    if (p.is_relative()) p = base / p;
    ImageRow r{p.lexically_normal().string(), f[size_t(col[1])], col[2] >= 0 ? f[size_t(col[2])] : ""};
    if (r.group.empty()) r.group = p.stem().string();
    if (col[3] >= 0 && !f[size_t(col[3])].empty()) {
      fs::path a = f[size_t(col[3])];
      if (a.is_relative()) a = base / a;
      r.annotations = a.lexically_normal().string();
      std::error_code aec;
      if (images_only)
        problems.push_back(at + "annotations label regions of slides; image sources take one label per image");
      else if (!fs::is_regular_file(a, aec))
        problems.push_back(at + "annotations file not found: '" + r.annotations + "'");
      else if (!r.label.empty())
        problems.push_back(at + "give a label or annotations, not both (the annotations label the slide's tiles)");
    }
    std::error_code ec;  // a path the system cannot even look up (too long, bad bytes) is a bad row, not a crash
    if (f[size_t(col[0])].empty())
      problems.push_back(at + "empty path");
    else if (!fs::is_regular_file(p, ec))
      problems.push_back(at + "file not found: '" + r.path + "'" + (ec ? " (" + ec.message() + ")" : ""));
    else if (images_only && !is_image(p))
      problems.push_back(at + "not a .png/.jpg/.jpeg file: '" + r.path + "'");
    if (!seen.insert(r.path).second) problems.push_back(at + "duplicate path '" + r.path + "'");
    list.rows.push_back(std::move(r));
  }
  if (list.rows.empty() && problems.empty()) problems.push_back(csv + ": no rows");
  return list;
}

}  // namespace

ImageList list_images(const std::string& root, const std::string& csv, const std::vector<std::string>& declared, bool images_only) {
  std::vector<std::string> problems;
  if (root.empty() == csv.empty()) throw Error(code::kConfigInvalid, "spec.source: give exactly one of root (class folders) or csv");
  ImageList list = csv.empty() ? from_folders(root, problems) : from_csv(csv, images_only, problems);
  if (!declared.empty()) {
    list.classes = declared;
    for (size_t i = 0; i < list.rows.size(); ++i) {
      const auto& l = list.rows[i].label;
      if (!l.empty() && std::find(declared.begin(), declared.end(), l) == declared.end()) {
        problems.push_back((csv.empty() ? list.rows[i].path + ": " : csv + ": row for '" + list.rows[i].path + "': ") + "unknown label '" +
                           l + "' (spec.source.classes lists: " +
                           [&] {
                             std::string s;
                             for (const auto& c : declared) s += (s.empty() ? "" : ", ") + c;
                             return s;
                           }() +
                           ")");
      }
    }
  } else {
    std::set<std::string> labels;
    for (const auto& r : list.rows) {
      if (!r.label.empty()) labels.insert(r.label);
    }
    list.classes.assign(labels.begin(), labels.end());
  }
  if (int64_t(list.classes.size()) > kMaxClasses) {
    problems.push_back(std::to_string(list.classes.size()) + " classes, more than the " + std::to_string(kMaxClasses) +
                       " a model may have (a wrong label column?)");
  }
  if (!problems.empty()) {
    std::string msg = std::to_string(problems.size()) + " problem(s) in the image source:";
    for (const auto& p : problems) msg += "\n  - " + p;
    throw Error(code::kConfigInvalid, msg);
  }
  return list;
}

}  // namespace rd::store
