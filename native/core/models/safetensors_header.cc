#include "models/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

#include "util/error.h"

namespace rd::models {

uint64_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, uint64_t> sizes = {{"F32", 4}, {"F64", 8}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                                        {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

std::vector<SafetensorsEntry> parse_safetensors_header(const std::string& text, uint64_t data_size, const std::string& path,
                                                       std::map<std::string, std::string>* metadata) {
  auto bad = [&](const std::string& why) { return Error(code::kWeightsInvalid, path + ": " + why); };
  // nlohmann converts a JSON float to an integer without a range check (undefined behaviour): only whole numbers count.
  auto whole = [&](const nlohmann::json& v, const std::string& what) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > uint64_t(INT64_MAX)) throw bad(what + " must be a non-negative whole number");
    return v.get<uint64_t>();
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("malformed safetensors header: ") + e.what());
  }
  if (!header.is_object()) throw bad("malformed safetensors header (not a JSON object)");
  std::vector<SafetensorsEntry> entries;
  try {
    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__") {
        if (!entry.is_object()) throw bad("__metadata__ must be an object of strings");
        for (const auto& [k, v] : entry.items()) {
          if (!v.is_string()) throw bad("__metadata__." + k + " must be a string");
        }
        if (metadata) *metadata = entry.get<std::map<std::string, std::string>>();
        continue;
      }
      if (!entry.is_object()) throw bad("tensor '" + name + "' is not an object");
      for (const char* key : {"dtype", "shape", "data_offsets"}) {
        if (!entry.contains(key)) throw bad("tensor '" + name + "' has no " + key);
      }
      if (!entry.at("dtype").is_string()) throw bad("tensor '" + name + "' has a dtype that is not a string");
      const auto& shape = entry.at("shape");
      if (!shape.is_array()) throw bad("tensor '" + name + "' has a shape that is not an array");
      SafetensorsEntry e{name, entry.at("dtype").get<std::string>(), {}, 0, 0};
      for (const auto& d : shape) {
        if (d.is_number_integer() && !d.is_number_unsigned()) throw bad("tensor '" + name + "' has a negative dimension");
        e.shape.push_back(int64_t(whole(d, "tensor '" + name + "' dimension")));
      }
      const uint64_t element = dtype_size(e.dtype);
      if (element == 0) throw bad("unsupported safetensors dtype '" + e.dtype + "'");
      const auto& offsets = entry.at("data_offsets");
      if (!offsets.is_array() || offsets.size() != 2) throw bad("tensor '" + name + "' has no data_offsets [begin, end]");
      e.begin = whole(offsets.at(0), "tensor '" + name + "' data_offsets");
      e.end = whole(offsets.at(1), "tensor '" + name + "' data_offsets");
      // The byte count the shape declares, computed without overflow and before anything is allocated from it.
      uint64_t bytes = element;
      for (const int64_t d : e.shape) {
        if (d != 0 && bytes > data_size / uint64_t(d))
          bytes = data_size + 1;  // more than the file holds
        else
          bytes *= uint64_t(d);
      }
      if (e.end < e.begin || e.end > data_size || e.end - e.begin != bytes) {
        throw bad("tensor '" + name + "' has offsets outside the file (truncated?)");
      }
      entries.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("malformed safetensors entry: ") + e.what());
  }
  // The format forbids overlapping ranges and holes: a range shared by two tensors hides one of them.
  std::vector<const SafetensorsEntry*> order;
  for (const auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
  uint64_t at = 0;
  for (const auto* e : order) {
    if (e->begin < at) throw bad("tensor '" + e->name + "' overlaps another tensor's bytes (the format forbids overlapping ranges)");
    if (e->begin > at) throw bad("tensor '" + e->name + "' leaves a hole before it in the data (the format forbids holes)");
    at = e->end;
  }
  if (at != data_size)
    throw bad("the data section has " + std::to_string(data_size - at) + " bytes no tensor names (the format forbids holes)");
  return entries;
}

}  // namespace rd::models
