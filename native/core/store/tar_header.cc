#include "store/tar_header.h"

#include <cstring>

namespace rd::store {
namespace {

// An octal ustar field (NUL- or space-terminated); false unless it holds only octal digits.
bool parse_octal(const uint8_t* field, size_t width, uint64_t& value) {
  value = 0;
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  size_t digits = 0;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (value >> 60) return false;
    value = value * 8 + (field[i] - '0');
  }
  for (; i < width; ++i) {
    if (field[i] != 0 && field[i] != ' ') return false;
  }
  return digits > 0;
}

}  // namespace

std::string tar_header_problem(const uint8_t* h, const std::string& name, uint64_t size) {
  uint64_t stored = 0;
  if (!parse_octal(h + 148, 8, stored)) return "tar header of " + name + " has an unreadable checksum field";
  uint64_t sum = 0;
  for (size_t i = 0; i < kTarBlock; ++i) sum += (i >= 148 && i < 156) ? uint8_t(' ') : h[i];
  if (sum != stored) return "tar header of " + name + " fails its checksum";
  const size_t name_len = strnlen(reinterpret_cast<const char*>(h), 100);
  if (std::string(reinterpret_cast<const char*>(h), name_len) != name) return "tar header names another member than " + name;
  uint64_t declared = 0;
  if (!parse_octal(h + 124, 12, declared) || declared != size) return "tar header of " + name + " declares another size than its index";
  if (h[156] != '0' && h[156] != 0) return "tar header of " + name + " is not a regular file";
  if (std::memcmp(h + 257, "ustar", 5) != 0) return "tar header of " + name + " is not ustar";
  return "";
}

}  // namespace rd::store
