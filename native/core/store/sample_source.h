// Where samples come from. Extraction only talks to this interface, so image folders (image_io/folder_source.cc)
// and slides (a SourceRegistrar("slides", ...) in native/core/slide/) plug in without touching the store.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rd::store {

// One planned sample (a patch, tile or tissue piece), known before any pixel is read.
struct SourceEntry {
  std::string source;        // the file it comes from (parts and provenance use it)
  std::optional<int> label;  // index into classes(); nullopt = unlabeled
  std::string group;         // slide or patient id: splits never separate a group
  nlohmann::json where;      // source-specific locator (e.g. a region), copied into provenance
};

// The pixels of one sample at every requested magnification: same field of view, uint8 HWC (RGB).
struct View {
  std::vector<uint8_t> pixels;
  int64_t h = 0, w = 0, c = 3;
};
struct Extracted {
  std::vector<View> views;    // magnification order of the request, highest first
  nlohmann::json provenance;  // source sha256, level read, mpp and its source, kernel, effective mpp per view
};

class SampleSource {
 public:
  virtual ~SampleSource() = default;
  // Deterministic order: the store's sample ids are positions in this list.
  virtual const std::vector<SourceEntry>& entries() const = 0;
  virtual const std::vector<std::string>& classes() const = 0;
  // The source's own description for the manifest (kind, mpp and its source, ...).
  virtual nlohmann::json describe() const = 0;
  // Reads entry i at the given target mpps (highest magnification first). Must be thread-safe.
  virtual Extracted extract(size_t i, const std::vector<double>& mpps) const = 0;
};

// spec = the config's "source" object; mpps = target mpp per magnification. Throws CONFIG_INVALID listing every problem.
using SourceFactory = std::function<std::unique_ptr<SampleSource>(const nlohmann::json& spec, const std::vector<double>& mpps)>;

struct SourceRegistrar {
  SourceRegistrar(const std::string& kind, SourceFactory factory);
};

std::unique_ptr<SampleSource> make_source(const nlohmann::json& spec, const std::vector<double>& mpps);

}  // namespace rd::store
