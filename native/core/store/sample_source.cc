#include "store/sample_source.h"

#include <map>

#include "util/error.h"

namespace rd::store {
namespace {
std::map<std::string, SourceFactory>& factories() {
  static std::map<std::string, SourceFactory> f;
  return f;
}
}  // namespace

SourceRegistrar::SourceRegistrar(const std::string& kind, SourceFactory factory) { factories()[kind] = std::move(factory); }

std::unique_ptr<SampleSource> make_source(const nlohmann::json& spec, const std::vector<double>& mpps) {
  const std::string kind = spec.value("kind", "");
  auto it = factories().find(kind);
  if (it == factories().end()) {
    std::string known;
    for (const auto& [k, _] : factories()) known += (known.empty() ? "" : ", ") + k;
    throw Error(code::kConfigInvalid, "spec.source.kind: unknown source kind '" + kind +
                                          "' (this build knows: " + (known.empty() ? "none" : known) +
                                          "; image folders need RESDISTILL_WITH_IMAGE_IO=ON, slides RESDISTILL_WITH_OPENSLIDE=ON)");
  }
  return it->second(spec, mpps);
}

}  // namespace rd::store
