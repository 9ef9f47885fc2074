#include "store/store_format.h"

#include <filesystem>

#include "store/normalization.h"
#include "store/store_reader.h"

#include "store/atomic_file.h"
#include "store/crc32.h"
#include "util/error.h"

namespace rd::store {

nlohmann::json read_manifest(const std::string& dir) {
  const std::string path = dir + "/" + kManifest;
  if (!std::filesystem::exists(path)) throw Error(code::kStoreCorrupt, "'" + dir + "' is not a store: no " + kManifest);
  nlohmann::json m;
  try {
    m = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(code::kStoreCorrupt, path + " is not valid JSON: " + e.what());
  }
  if (!m.is_object() || m.value("format", "") != kFormat) throw Error(code::kStoreCorrupt, path + " is not a resdistill store manifest");
  if (m.value("version", 0) != kVersion) {
    throw Error(code::kStoreCorrupt, path + ": store version " + m.value("version", nlohmann::json()).dump() + " is not supported");
  }
  return m;
}

nlohmann::json finalize_manifest(const std::string& dir, nlohmann::json manifest) {
  for (auto& s : manifest["shards"]) {
    const std::string tar = dir + "/" + s["name"].get<std::string>();
    std::string idx = read_file(dir + "/" + s["index"].get<std::string>());
    s["bytes"] = std::filesystem::file_size(tar);
    s["indexCrc32"] = crc32(idx.data(), idx.size());
  }
  manifest["complete"] = true;
  write_file_atomic(dir + "/" + kManifest, manifest.dump(1) + "\n");
  // The statistics need the finished store to read from, so the manifest is written once more with them.
  manifest["normalization"] = compute_normalization(*Store::open(dir));
  write_file_atomic(dir + "/" + kManifest, manifest.dump(1) + "\n");
  return manifest;
}

}  // namespace rd::store
