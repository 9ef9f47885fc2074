// Names and layout of a store folder:
//   manifest.json            magnifications, classes, shard list, the seeded split (written first, then finalised)
//   shard-NNNNN.tar          WebDataset-style: per sample KEY.json (label, group, provenance) and KEY.mI.npy (uint8 HWC)
//   shard-NNNNN.idx.json     random-access index: per sample label, group and per member offset, size, CRC-32, shape
// KEY is the sample's global index as 8 digits; mI is magnification I, m0 the highest.
#pragma once
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace rd::store {

inline constexpr const char* kFormat = "resdistill-store";
inline constexpr int kVersion = 1;
inline constexpr const char* kManifest = "manifest.json";

inline std::string shard_name(size_t shard) {
  char b[32];
  std::snprintf(b, sizeof b, "shard-%05zu.tar", shard);
  return b;
}
inline std::string index_name(size_t shard) {
  char b[32];
  std::snprintf(b, sizeof b, "shard-%05zu.idx.json", shard);
  return b;
}
inline std::string sample_key(size_t id) {
  char b[32];
  std::snprintf(b, sizeof b, "%08zu", id);
  return b;
}
inline std::string view_member(size_t id, size_t mag) { return sample_key(id) + ".m" + std::to_string(mag) + ".npy"; }

// Reads and checks manifest.json (STORE_CORRUPT when absent, unparsable or of another format).
nlohmann::json read_manifest(const std::string& dir);
// Adds the shard sizes and index checksums, marks it complete, writes it atomically. Extract and merge both end here.
nlohmann::json finalize_manifest(const std::string& dir, nlohmann::json manifest);

}  // namespace rd::store
