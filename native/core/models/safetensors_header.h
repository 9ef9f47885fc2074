// A safetensors file's header (8-byte LE length, then JSON) read and checked without LibTorch: what every reader of
// weights trusts before allocating anything, and what the fuzzer reaches (native/fuzz).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rd::models {

// The largest header read, as the safetensors library bounds it: a bigger one is hostile, not a model.
inline constexpr uint64_t kMaxSafetensorsHeader = uint64_t(100) << 20;

// One tensor as the header declares it: its bytes are [begin, end) of the data section.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

// Bytes per element of a safetensors dtype; 0 for one we do not read.
uint64_t dtype_size(const std::string& dtype);

// The header checked as the format requires (an object; __metadata__ of strings; a known dtype; each range inside
// the data section and its size the shape's; ranges covering the section without overlaps or holes). Throws
// WEIGHTS_INVALID naming `path` and the first problem. Allocates nothing from the declared shapes.
std::vector<SafetensorsEntry> parse_safetensors_header(const std::string& text, uint64_t data_size, const std::string& path,
                                                       std::map<std::string, std::string>* metadata);

}  // namespace rd::models
