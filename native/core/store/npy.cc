#include "store/npy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

#include "util/error.h"

namespace rd::store {

std::string npy_header(const NpyShape& s) {
  std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + std::to_string(s.h) + ", " + std::to_string(s.w) + ", " +
                     std::to_string(s.c) + "), }";
  // magic(6) + version(2) + length(2) + dict + padding + '\n' must be a multiple of 64 (numpy's alignment).
  size_t total = 10 + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(dict.size());
  out.push_back(static_cast<char>(len & 0xFF));
  out.push_back(static_cast<char>(len >> 8));
  return out + dict;
}

bool npy_parse(const uint8_t* data, size_t size, NpyShape& shape, size_t& header_bytes, std::string& why) {
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0 || data[6] != 1) {
    why = "not a version-1 .npy member";
    return false;
  }
  size_t len = data[8] | (size_t(data[9]) << 8);
  if (10 + len > size) {
    why = ".npy header runs past the member";
    return false;
  }
  std::string dict(reinterpret_cast<const char*>(data) + 10, len);
  static const std::regex re(R"(\{'descr': '\|u1', 'fortran_order': False, 'shape': \((\d{1,9}), (\d{1,9}), (\d{1,9})\), \})");
  std::smatch m;
  if (!std::regex_search(dict, m, re)) {
    why = ".npy header is not a C-order uint8 HxWxC array";
    return false;
  }
  shape = {std::stoll(m[1]), std::stoll(m[2]), std::stoll(m[3])};  // at most 9 digits each: no overflow below
  header_bytes = 10 + len;
  if (shape.c < 1 || shape.c > 4 || header_bytes + uint64_t(shape.h) * uint64_t(shape.w) * uint64_t(shape.c) != size) {
    why = ".npy payload size does not match its shape";
    return false;
  }
  return true;
}

RgbImage read_rgb_npy(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(code::kIo, "cannot read '" + path + "'");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  RgbImage image;
  size_t header = 0;
  std::string why;
  if (!npy_parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), image.shape, header, why) || image.shape.c != 3) {
    throw Error(code::kConfigInvalid,
                "spec." + field + ": " + path + " is not an RGB uint8 HxWx3 .npy (" + (why.empty() ? "channels" : why) + ")");
  }
  image.pixels.assign(bytes.begin() + long(header), bytes.end());
  return image;
}

}  // namespace rd::store
