#include "models/weights_metadata.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "util/error.h"
#include "util/input_limits.h"
#include "util/magnification.h"

#ifndef RESDISTILL_VERSION
#define RESDISTILL_VERSION "unknown"
#endif

namespace rd::models {
namespace {

using Json = nlohmann::json;

bool is_torchvision(const std::string& name) { return name.rfind("resnet", 0) == 0; }

// Shortest text that reads back as the same double (JSON's number form).
std::string number(double v) { return Json(v).dump(); }

// Collects every problem of one file, so a user sees them all at once.
class Problems {
 public:
  explicit Problems(std::string path) : path_(std::move(path)) {}
  void add(const std::string& what) { list_.push_back(what); }
  void check(bool ok, const std::string& what) {
    if (!ok) add(what);
  }
  void throw_if_any() const {
    if (list_.empty()) return;
    std::string all;
    for (const auto& p : list_) all += (all.empty() ? "" : "; ") + p;
    throw Error(code::kWeightsInvalid,
                path_ + ": metadata cannot describe this model (" + all +
                    "). Weights written by resdistill training carry it; an older file can be used from its experiment folder");
  }

 private:
  std::string path_;
  std::vector<std::string> list_;
};

class Reader {
 public:
  Reader(const std::map<std::string, std::string>& m, Problems& p) : m_(m), p_(p) {}

  const std::string* text(const std::string& key, bool required = true) {
    auto it = m_.find(key);
    if (it == m_.end()) {
      if (required) p_.add("missing '" + key + "'");
      return nullptr;
    }
    return &it->second;
  }
  std::optional<Json> json(const std::string& key, bool required = true) {
    const std::string* t = text(key, required);
    if (!t) return std::nullopt;
    try {
      return Json::parse(*t);
    } catch (const Json::exception&) {
      p_.add("'" + key + "' is not JSON");
      return std::nullopt;
    }
  }
  double positive(const std::string& key, bool required = true) {
    auto j = json(key, required);
    if (!j) return 0;
    if (!j->is_number() || !std::isfinite(j->get<double>()) || j->get<double>() <= 0) {
      p_.add("'" + key + "' must be a positive number");
      return 0;
    }
    return j->get<double>();
  }
  std::array<float, 3> rgb(const std::string& key, bool positive_only) {
    auto j = json(key);
    std::array<float, 3> out{0, 0, 0};
    if (!j) return out;
    if (!j->is_array() || j->size() != 3) {
      p_.add("'" + key + "' must hold 3 numbers (R, G, B)");
      return out;
    }
    for (size_t i = 0; i < 3; ++i) {
      const auto& v = (*j)[i];
      if (!v.is_number() || !std::isfinite(v.get<double>()) || (positive_only && v.get<double>() <= 0)) {
        p_.add("'" + key + "' must hold finite numbers" + (positive_only ? " > 0" : ""));
        return out;
      }
      out[i] = v.get<float>();
    }
    return out;
  }

 private:
  const std::map<std::string, std::string>& m_;
  Problems& p_;
};

// What a user must do to pixels before the network, in words (also the ONNX model's doc string).
std::string preprocessing_text(const WeightsMetadata& w) {
  std::ostringstream s;
  s << "RGB uint8 HWC at " << number(w.mpp) << " um/px (" << number(w.magnification) << "x) -> "
    << (w.stain ? w.stain->method +
                      " stain normalisation to the 'stain' reference (docs/stain.md; Python: "
                      "resdistill_models.normalize_stain) -> "
                : "")
    << "float32 / 255 -> (x - inputMean) / inputStd per channel -> NCHW";
  return s.str();
}

}  // namespace

std::string resdistill_version() { return RESDISTILL_VERSION; }

Json architecture_json(const ModelSpec& m) {
  Json a = {{"name", m.name}, {"norm", m.options.norm}, {"groups", m.options.groups}};
  if (!is_torchvision(m.name)) {
    a["widths"] = m.options.widths;
    a["blocks"] = m.options.blocks;
  }
  return a;
}

std::map<std::string, std::string> to_metadata(const WeightsMetadata& w) {
  std::map<std::string, std::string> m = {
      {"resdistillFormat", kWeightsFormat},
      {"resdistillVersion", w.version.empty() ? resdistill_version() : w.version},
      {"architecture", architecture_json(w.model).dump()},
      {"classes", Json(w.classes).dump()},
      {"magnification", number(w.magnification)},
      {"mpp", number(w.mpp)},
      {"unit", w.unit},
      {"inputNormalize", w.normalize},
      {"inputMean", Json(w.mean).dump()},
      {"inputStd", Json(w.std).dump()},
      {"preprocessing", preprocessing_text(w)},
      {"method", w.method},
      {"runId", w.run_id},
      {"synthetic", w.synthetic ? "true" : "false"},
      {"epoch", std::to_string(w.epoch)},
      {"outputs", "featureMap [N, C, h, w] (last convolutional stage), logits [N, classes]"},
  };
  if (w.input_size) {
    const auto [h, wd] = *w.input_size;
    m["inputSize"] = Json({h, wd}).dump();
    m["fieldOfViewUm"] = Json({double(h) * w.mpp, double(wd) * w.mpp}).dump();
  }
  if (w.max_size_um > 0) m["maxSizeUm"] = number(w.max_size_um);
  if (w.teacher_magnification > 0) m["teacherMagnification"] = number(w.teacher_magnification);
  if (w.stain) m["stain"] = image::to_json(*w.stain).dump();
  return m;
}

WeightsMetadata from_metadata(const std::map<std::string, std::string>& metadata, const std::string& path) {
  Problems problems(path);
  Reader r(metadata, problems);
  WeightsMetadata w;
  if (const auto* f = r.text("resdistillFormat")) {
    problems.check(*f == kWeightsFormat, "format '" + *f + "' is not " + kWeightsFormat + " (written by another version?)");
  }
  if (const auto* v = r.text("resdistillVersion")) w.version = *v;
  if (auto classes = r.json("classes")) {
    std::set<std::string> seen;
    const bool ok = classes->is_array() && classes->size() >= 2 && std::all_of(classes->begin(), classes->end(), [&](const Json& c) {
                      return c.is_string() && !c.get<std::string>().empty() && seen.insert(c.get<std::string>()).second;
                    });
    problems.check(ok, "'classes' must list at least 2 distinct, non-empty names");
    problems.check(!ok || int64_t(classes->size()) <= kMaxClasses, "'classes' lists " + std::to_string(classes->size()) +
                                                                       " names, more than the " + std::to_string(kMaxClasses) +
                                                                       " a model may have");
    if (ok && int64_t(classes->size()) <= kMaxClasses) w.classes = classes->get<std::vector<std::string>>();
  }
  if (auto a = r.json("architecture")) {
    try {
      if (!a->is_object()) throw Error(code::kConfigInvalid, "must be an object");
      w.model = read_model(nlohmann::json{{"architecture", *a}}, "architecture");
      const auto names = model_names();
      if (std::find(names.begin(), names.end(), w.model.name) == names.end())
        throw Error(code::kConfigInvalid, "unknown model '" + w.model.name + "'");
    } catch (const Error& e) {
      problems.add(std::string("'architecture' ") + e.what());
    }
  }
  w.model.classes = int64_t(w.classes.size());
  w.magnification = r.positive("magnification");
  w.mpp = r.positive("mpp");
  if (w.magnification > 0 && w.mpp > 0) {
    problems.check(std::abs(w.magnification * w.mpp - kMicronsAtOneX) < 0.01 * kMicronsAtOneX,
                   "'magnification' and 'mpp' disagree (magnification = 10 / mpp)");
  }
  if (const auto* u = r.text("unit")) {
    w.unit = *u;
    problems.check(w.unit == "tiles" || w.unit == "pieces", "'unit' must be tiles or pieces");
  }
  if (auto size = r.json("inputSize", w.unit == "tiles")) {
    const bool ok = size->is_array() && size->size() == 2 && (*size)[0].is_number_integer() && (*size)[1].is_number_integer() &&
                    (*size)[0].get<int64_t>() > 0 && (*size)[1].get<int64_t>() > 0;
    problems.check(ok, "'inputSize' must be [height, width] in pixels");
    if (ok) w.input_size = std::array<int64_t, 2>{(*size)[0].get<int64_t>(), (*size)[1].get<int64_t>()};
  }
  if (auto fov = r.json("fieldOfViewUm", w.input_size.has_value()); fov && w.input_size && w.mpp > 0) {
    const bool ok = fov->is_array() && fov->size() == 2 && (*fov)[0].is_number() && (*fov)[1].is_number() &&
                    std::abs((*fov)[0].get<double>() - double((*w.input_size)[0]) * w.mpp) <= 0.01 * (*fov)[0].get<double>() &&
                    std::abs((*fov)[1].get<double>() - double((*w.input_size)[1]) * w.mpp) <= 0.01 * (*fov)[1].get<double>();
    problems.check(ok, "'fieldOfViewUm' must equal inputSize x mpp");
  }
  if (metadata.count("maxSizeUm")) w.max_size_um = r.positive("maxSizeUm");
  if (const auto* n = r.text("inputNormalize")) {
    w.normalize = *n;
    problems.check(w.normalize == "dataset" || w.normalize == "none", "'inputNormalize' must be dataset or none");
  }
  w.mean = r.rgb("inputMean", false);
  w.std = r.rgb("inputStd", true);
  if (const auto* m = r.text("method")) w.method = *m;
  problems.check(metadata.count("method") == 0 || !w.method.empty(), "'method' is empty");
  if (const auto* id = r.text("runId")) w.run_id = *id;
  problems.check(metadata.count("runId") == 0 || !w.run_id.empty(), "'runId' is empty");
  if (const auto* s = r.text("synthetic")) {
    problems.check(*s == "true" || *s == "false", "'synthetic' must be true or false");
    w.synthetic = *s == "true";
  }
  if (metadata.count("teacherMagnification")) w.teacher_magnification = r.positive("teacherMagnification");
  if (auto j = r.json("stain", false)) {
    try {
      w.stain = image::stain_from_json(*j, "'stain'", code::kWeightsInvalid);
    } catch (const Error& e) {
      problems.add(e.what());
    }
  }
  if (auto e = r.json("epoch", false)) w.epoch = e->is_number_integer() ? e->get<int64_t>() : 0;
  problems.throw_if_any();
  return w;
}

Json to_json(const WeightsMetadata& w) {
  Json j = {
      {"format", kWeightsFormat},
      {"version", w.version},
      {"architecture", architecture_json(w.model)},
      {"classes", w.classes},
      {"magnification", w.magnification},
      {"mpp", w.mpp},
      {"unit", w.unit},
      {"inputSize", w.input_size ? Json(*w.input_size) : Json(nullptr)},
      {"fieldOfViewUm", w.input_size ? Json({double((*w.input_size)[0]) * w.mpp, double((*w.input_size)[1]) * w.mpp}) : Json(nullptr)},
      {"maxSizeUm", w.max_size_um > 0 ? Json(w.max_size_um) : Json(nullptr)},
      {"input",
       {{"normalize", w.normalize}, {"mean", w.mean}, {"std", w.std}, {"stain", w.stain ? image::to_json(*w.stain) : Json(nullptr)}}},
      {"preprocessing", preprocessing_text(w)},
      {"method", w.method},
      {"runId", w.run_id},
      {"synthetic", w.synthetic},
      {"teacherMagnification", w.teacher_magnification > 0 ? Json(w.teacher_magnification) : Json(nullptr)},
      {"epoch", w.epoch}};
  return j;
}

// The fewest parameters the architecture can have (its convolutions and last layer), without building it.
double min_parameters(const ModelSpec& m) {
  const auto& o = m.options;
  if (is_torchvision(m.name) || o.widths.empty() || o.blocks.size() != o.widths.size()) return 0;  // fixed or refused by make()
  double n = 49.0 * double(o.in_channels) * double(o.widths[0]);                                   // the 7x7 stem
  double cin = double(o.widths[0]);
  for (size_t s = 0; s < o.widths.size(); ++s) {
    const double w = double(o.widths[s]), blocks = double(o.blocks[s]);
    n += 9.0 * cin * w + (blocks - 1) * 9.0 * w * w + blocks * 9.0 * w * w;  // each block's two 3x3 convolutions
    cin = w;
  }
  return n + cin * double(m.classes);
}

DescribedWeights load_described(const std::string& path) {
  std::map<std::string, std::string> metadata;
  WeightsMetadata described;
  // The metadata is checked against the file's real tensor bytes before any tensor or network is allocated: a small
  // file declaring a huge architecture (widths, blocks) is refused here, not built.
  const NamedTensors tensors = load_safetensors(path, &metadata, [&](const auto& m, const auto&, uint64_t data_size) {
    described = from_metadata(m, path);
    const double needed = 4.0 * min_parameters(described.model);
    if (needed > double(data_size)) {
      std::ostringstream s;
      s << path << ": the architecture its metadata declares needs at least " << needed / 1e6 << " MB of float32 weights, the file holds "
        << double(data_size) / 1e6 << " MB of tensors";
      throw Error(code::kWeightsInvalid, s.str());
    }
  });
  DescribedWeights out{std::move(described), nullptr};
  try {
    out.model = make(out.metadata.model);
  } catch (const Error& e) {
    throw Error(code::kWeightsInvalid, path + ": its architecture cannot be built (" + e.what() + ")");
  }
  // Strict: every tensor the architecture names, with its shape, and no other. A wrong class count shows here (fc).
  load_weights(*out.model, tensors, path);
  out.model->eval();
  return out;
}

}  // namespace rd::models
