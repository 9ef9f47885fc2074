#include "slide/tiff_check.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <vector>

#include "util/error.h"

namespace rd::slide {
namespace {

// Tags whose values are sizes an allocation follows.
constexpr uint16_t kImageWidth = 256, kImageLength = 257, kStripOffsets = 273, kStripByteCounts = 279, kTileWidth = 322, kTileLength = 323,
                   kTileOffsets = 324, kTileByteCounts = 325, kSubIfds = 330;
// More IFDs than any pyramid has (levels, associated images): a longer chain is a loop or hostile.
constexpr int kMaxIfds = 1024;
// A tile OpenSlide decodes into one ARGB buffer: 1 GiB at most (real tiles are 256 to 4096 px a side).
constexpr uint64_t kMaxTilePixels = uint64_t(1) << 28;

class Tiff {
 public:
  Tiff(const ReadAt& read, uint64_t size) : read_(read), size_(size) {}

  std::string problem() {
    uint8_t head[16] = {};
    if (size_ < 8 || !read_(0, head, 8)) return "";
    if (head[0] == 'I' && head[1] == 'I')
      little_ = true;
    else if (head[0] == 'M' && head[1] == 'M')
      little_ = false;
    else
      return "";
    const uint64_t version = u(head + 2, 2);
    uint64_t ifd = 0;
    if (version == 42) {
      ifd = u(head + 4, 4);
    } else if (version == 43) {
      big_ = true;
      if (size_ < 16 || !read_(8, head + 8, 8)) return "a BigTIFF header shorter than 16 bytes";
      if (u(head + 4, 2) != 8) return "a BigTIFF header whose offset size is not 8";
      ifd = u(head + 8, 8);
    } else {
      return "";
    }
    std::vector<uint64_t> pending{ifd};
    std::set<uint64_t> seen;
    while (!pending.empty()) {
      uint64_t at = pending.back();
      pending.pop_back();
      while (at != 0) {
        if (!seen.insert(at).second) return "its IFD chain loops (IFD at " + std::to_string(at) + " twice)";
        if (int(seen.size()) > kMaxIfds) return "more than " + std::to_string(kMaxIfds) + " IFDs";
        std::string why = check_ifd(at, pending, at);
        if (!why.empty()) return why;
      }
    }
    return "";
  }

 private:
  uint64_t u(const uint8_t* p, int n) const {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(p[little_ ? i : n - 1 - i]) << (8 * i);
    return v;
  }
  static uint64_t type_size(uint64_t type) {
    switch (type) {
      case 1:
      case 2:
      case 6:
      case 7:
        return 1;  // BYTE ASCII SBYTE UNDEFINED
      case 3:
      case 8:
        return 2;  // SHORT SSHORT
      case 4:
      case 9:
      case 11:
      case 13:
        return 4;  // LONG SLONG FLOAT IFD
      case 5:
      case 10:
      case 12:
      case 16:
      case 17:
      case 18:
        return 8;  // RATIONAL SRATIONAL DOUBLE LONG8 SLONG8 IFD8
      default:
        return 0;
    }
  }

  struct Entry {
    uint64_t tag = 0, type = 0, count = 0;
    uint64_t value_at = 0;  // the file offset of the values (inline ones included)
  };

  // The integer values of an entry (SHORT, LONG, LONG8, IFD types); a problem when they lie outside the file.
  std::string values(const Entry& e, std::vector<uint64_t>& out) const {
    const uint64_t ts = type_size(e.type);
    if (ts == 0 || e.type == 5 || e.type == 10 || e.type == 11 || e.type == 12)
      return "tag " + std::to_string(e.tag) + " has a non-integer type " + std::to_string(e.type);
    if (e.count > size_ / ts || e.value_at > size_ - e.count * ts)
      return "tag " + std::to_string(e.tag) + " declares " + std::to_string(e.count) + " values, more than the file holds";
    std::vector<uint8_t> raw(size_t(e.count * ts));
    if (!raw.empty() && !read_(e.value_at, raw.data(), raw.size()))
      return "tag " + std::to_string(e.tag) + " values run past the end of the file";
    out.resize(size_t(e.count));
    for (uint64_t i = 0; i < e.count; ++i) out[size_t(i)] = u(raw.data() + i * ts, int(ts));
    return "";
  }

  std::string check_ifd(uint64_t at, std::vector<uint64_t>& pending, uint64_t& next) {
    const std::string where = "IFD at " + std::to_string(at) + ": ";
    const uint64_t count_size = big_ ? 8 : 2, entry_size = big_ ? 20 : 12, offset_size = big_ ? 8 : 4;
    uint8_t buf[20] = {};
    if (at > size_ - count_size || !read_(at, buf, count_size)) return where + "outside the file";
    const uint64_t n = u(buf, int(count_size));
    if (n > (size_ - at - count_size) / entry_size) return where + "declares " + std::to_string(n) + " entries, more than the file holds";
    if (n > 65535) return where + "declares " + std::to_string(n) + " entries (a TIFF IFD has at most 65535)";
    std::vector<Entry> entries(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t e_at = at + count_size + i * entry_size;
      if (!read_(e_at, buf, entry_size)) return where + "truncated";
      Entry& e = entries[size_t(i)];
      e.tag = u(buf, 2);
      e.type = u(buf + 2, 2);
      e.count = u(buf + 4, int(offset_size));
      const uint64_t ts = type_size(e.type);
      const bool inline_value = ts != 0 && e.count <= offset_size / ts;
      e.value_at = inline_value ? e_at + 4 + offset_size : u(buf + 4 + offset_size, int(offset_size));
    }
    const uint64_t next_at = at + count_size + n * entry_size;
    if (next_at > size_ - offset_size || !read_(next_at, buf, offset_size)) return where + "has no next-IFD offset (truncated)";
    next = u(buf, int(offset_size));

    std::vector<uint64_t> offsets, counts, v;
    uint64_t tile_w = 0, tile_h = 0, width = 0, height = 0;
    for (const auto& e : entries) {
      const bool wanted = e.tag == kImageWidth || e.tag == kImageLength || e.tag == kTileWidth || e.tag == kTileLength ||
                          e.tag == kStripOffsets || e.tag == kStripByteCounts || e.tag == kTileOffsets || e.tag == kTileByteCounts ||
                          e.tag == kSubIfds;
      if (!wanted) continue;
      std::string why = values(e, v);
      if (!why.empty()) return where + why;
      if (e.tag == kSubIfds)
        pending.insert(pending.end(), v.begin(), v.end());
      else if (e.tag == kStripOffsets || e.tag == kTileOffsets)
        offsets = v;
      else if (e.tag == kStripByteCounts || e.tag == kTileByteCounts)
        counts = v;
      else if (!v.empty())
        (e.tag == kImageWidth ? width : e.tag == kImageLength ? height : e.tag == kTileWidth ? tile_w : tile_h) = v[0];
    }
    if (tile_w > 0 || tile_h > 0) {
      if (tile_w == 0 || tile_h == 0 || tile_w > kMaxTilePixels / std::max<uint64_t>(tile_h, 1)) {
        return where + "tiles of " + std::to_string(tile_w) + " x " + std::to_string(tile_h) + " px (at most " +
               std::to_string(kMaxTilePixels) + " px a tile)";
      }
    }
    (void)width, (void)height;
    if (counts.size() != offsets.size() && !counts.empty() && !offsets.empty()) {
      return where + std::to_string(offsets.size()) + " tile/strip offsets but " + std::to_string(counts.size()) + " byte counts";
    }
    for (size_t i = 0; i < counts.size(); ++i) {
      const uint64_t off = i < offsets.size() ? offsets[i] : 0;
      if (counts[i] > size_ || off > size_ - counts[i]) {
        return where + "tile/strip " + std::to_string(i) + " declares " + std::to_string(counts[i]) + " bytes at offset " +
               std::to_string(off) + ", past the end of the " + std::to_string(size_) + "-byte file";
      }
    }
    return "";
  }

  const ReadAt& read_;
  uint64_t size_;
  bool little_ = true, big_ = false;
};

}  // namespace

std::string tiff_problem(const ReadAt& read, uint64_t file_size) { return Tiff(read, file_size).problem(); }

void check_tiff(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return;  // the open below names the reason
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return;
  const long end = std::ftell(f.get());
  if (end < 0) return;
  const ReadAt read = [&](uint64_t offset, void* buf, size_t n) {
    return std::fseek(f.get(), long(offset), SEEK_SET) == 0 && std::fread(buf, 1, n, f.get()) == n;
  };
  const std::string why = tiff_problem(read, uint64_t(end));
  if (!why.empty())
    throw Error(code::kSlideReadFailed,
                "'" + path + "' is a TIFF whose declared sizes do not fit the file (" + why + "): truncated or corrupt, not opened");
}

}  // namespace rd::slide
