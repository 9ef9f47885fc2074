#include "models/safetensors.h"

#include "models/safetensors_header.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "store/atomic_file.h"
#include "util/error.h"

namespace rd::models {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian; this host is not");

const std::vector<std::pair<at::ScalarType, std::string>>& dtype_names() {
  static const std::vector<std::pair<at::ScalarType, std::string>> names = {
      {at::kFloat, "F32"}, {at::kDouble, "F64"}, {at::kHalf, "F16"}, {at::kBFloat16, "BF16"}, {at::kLong, "I64"},
      {at::kInt, "I32"},   {at::kShort, "I16"},  {at::kChar, "I8"},  {at::kByte, "U8"},       {at::kBool, "BOOL"}};
  return names;
}

std::string dtype_name(at::ScalarType t) {
  for (const auto& [type, name] : dtype_names())
    if (type == t) return name;
  throw Error(code::kConfigInvalid, std::string("safetensors: unsupported dtype ") + c10::toString(t));
}

at::ScalarType dtype_of(const std::string& name, const std::string& path) {
  for (const auto& [type, n] : dtype_names())
    if (n == name) return type;
  throw Error(code::kWeightsInvalid, path + ": unsupported safetensors dtype '" + name + "'");
}

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    auto c = t.detach().to(at::kCPU).contiguous();
    const uint64_t bytes = c.numel() * c.element_size();
    header[name] = {{"dtype", dtype_name(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(c);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the format aligns the data section to 8 bytes with spaces
  // The store's crash-safe TempFile: fsync then rename, and a full disk is DISK_FULL naming the file.
  store::TempFile out(path);
  const uint64_t n = text.size();
  out.write(&n, 8);
  out.write(text.data(), text.size());
  for (const auto& c : data) out.write(c.data_ptr(), c.numel() * c.element_size());
  out.commit();
}

NamedTensors load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata, const SafetensorsHeaderCheck& check) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(code::kIo, "cannot read '" + path + "'");
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  uint64_t n = 0;
  if (file_size < 8 || !in.read(reinterpret_cast<char*>(&n), 8) || n > file_size - 8) {
    throw Error(code::kWeightsInvalid, path + ": not a safetensors file (bad header length)");
  }
  if (n > kMaxSafetensorsHeader)
    throw Error(code::kWeightsInvalid, path + ": safetensors header of " + std::to_string(n) + " bytes is too large");
  std::string text(n, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(n))) throw Error(code::kWeightsInvalid, path + ": truncated header");
  std::map<std::string, std::string> declared;
  const auto entries = parse_safetensors_header(text, file_size - 8 - n, path, &declared);
  if (check) check(declared, entries, file_size - 8 - n);
  if (metadata) *metadata = std::move(declared);
  NamedTensors out;
  for (const auto& e : entries) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(dtype_of(e.dtype, path)));
    in.seekg(static_cast<std::streamoff>(8 + n + e.begin));
    if (!in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(e.end - e.begin))) {
      throw Error(code::kWeightsInvalid, path + ": truncated while reading '" + e.name + "'");
    }
    out.emplace_back(e.name, t);
  }
  return out;
}

NamedTensors state_dict(const torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& p : module.named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

void save_weights(const torch::nn::Module& module, const std::string& path, const std::map<std::string, std::string>& metadata) {
  save_safetensors(path, state_dict(module), metadata);
}

void load_weights(torch::nn::Module& module, const std::string& path) { load_weights(module, load_safetensors(path), path); }

void load_weights(torch::nn::Module& module, const NamedTensors& loaded, const std::string& path) {
  std::map<std::string, at::Tensor> by_name(loaded.begin(), loaded.end());
  // Check every name and shape before copying, so a bad file leaves the model untouched.
  auto targets = state_dict(module);
  std::set<std::string> expected;
  for (const auto& [name, target] : targets) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw Error(code::kWeightsInvalid, path + ": missing tensor '" + name + "'");
    if (it->second.sizes() != target.sizes()) {
      throw Error(code::kWeightsInvalid, path + ": tensor '" + name + "' has shape " + c10::str(it->second.sizes()) +
                                             ", the model expects " + c10::str(target.sizes()));
    }
    if (it->second.is_floating_point() && !torch::isfinite(it->second).all().item<bool>()) {
      throw Error(code::kWeightsInvalid, path + ": tensor '" + name + "' holds NaN or infinite values");
    }
    expected.insert(name);
  }
  for (const auto& [name, t] : by_name)
    if (!expected.count(name)) throw Error(code::kWeightsInvalid, path + ": unexpected tensor '" + name + "' (a different model?)");
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) target.copy_(by_name.at(name));
}

}  // namespace rd::models
