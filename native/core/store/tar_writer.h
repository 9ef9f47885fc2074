// Writes one WebDataset-style shard: a POSIX ustar archive with fixed metadata (mtime 0, uid 0, mode 0644),
// so the same members always give the same bytes. Records each member's data offset, size and CRC-32 for the index.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/atomic_file.h"

namespace rd::store {

struct MemberRecord {
  std::string name;
  uint64_t offset = 0;  // of the member's data (after its 512-byte header) in the tar
  uint64_t size = 0;
  uint32_t crc32 = 0;
};

class TarWriter {
 public:
  explicit TarWriter(const std::string& final_path) : file_(final_path) {}
  // A member made of consecutive pieces (e.g. a .npy header and the pixels), written without concatenating.
  MemberRecord add(const std::string& name, const std::vector<std::string_view>& pieces);
  uint64_t finish();  // end-of-archive blocks, fsync, rename; returns the archive size

 private:
  TempFile file_;
};

}  // namespace rd::store
