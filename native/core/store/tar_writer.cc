#include "store/tar_writer.h"

#include <cstdio>
#include <cstring>

#include "store/crc32.h"
#include "util/error.h"

namespace rd::store {
namespace {

// Octal field, NUL-terminated, zero-padded: the ustar convention.
void octal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
}

}  // namespace

MemberRecord TarWriter::add(const std::string& name, const std::vector<std::string_view>& pieces) {
  if (name.size() >= 100) throw Error(code::kInternal, "tar member name too long: " + name);
  uint64_t size = 0;
  uint32_t crc = 0;
  for (auto p : pieces) {
    size += p.size();
    crc = crc32(p.data(), p.size(), crc);
  }
  char h[512];
  std::memset(h, 0, sizeof h);
  std::memcpy(h, name.data(), name.size());
  octal(h + 100, 8, 0644);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, size);
  octal(h + 136, 12, 0);  // mtime 0: no timestamps, so reruns are byte-identical
  h[156] = '0';
  std::memcpy(h + 257,
              "ustar\0"
              "00",
              8);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  file_.write(h, sizeof h);
  MemberRecord rec{name, file_.size(), size, crc};
  for (auto p : pieces) file_.write(p.data(), p.size());
  static const char zeros[512] = {};
  if (size % 512) file_.write(zeros, 512 - size % 512);
  return rec;
}

uint64_t TarWriter::finish() {
  static const char zeros[1024] = {};
  file_.write(zeros, sizeof zeros);
  uint64_t size = file_.size();
  file_.commit();
  return size;
}

}  // namespace rd::store
