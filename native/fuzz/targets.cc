#include "targets.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>

#include "models/safetensors_header.h"
#include "slide/tiff_check.h"
#include "store/atomic_file.h"
#include "store/manifest_csv.h"
#include "store/npy.h"
#include "store/store_format.h"
#include "store/store_reader.h"
#include "store/tar_header.h"
#include "store/tar_writer.h"
#include "util/error.h"

namespace rd::fuzz {
namespace {

namespace fs = std::filesystem;

// A per-process scratch folder for the targets that read files.
const std::string& scratch() {
  static const std::string dir = [] {
    std::string t = (fs::temp_directory_path() / "rd-fuzz-XXXXXX").string();
    if (!::mkdtemp(t.data())) throw Error(code::kIo, "cannot create a scratch folder");
    return t;
  }();
  return dir;
}

// A sound two-sample, two-magnification store whose index the store-index target replaces with the input.
// Returns the valid index (the seed).
const std::string& fixed_store() {
  static const std::string index = [] {
    const std::string dir = scratch() + "/store";
    fs::create_directories(dir);
    store::TarWriter tar(dir + "/" + store::shard_name(0));
    nlohmann::json samples = nlohmann::json::array();
    for (size_t id = 0; id < 2; ++id) {
      auto rec = [](const store::MemberRecord& r) {
        return nlohmann::json{{"name", r.name}, {"offset", r.offset}, {"size", r.size}, {"crc32", r.crc32}};
      };
      const std::string json = "{\"label\":" + std::to_string(id) + "}";
      nlohmann::json s = {{"key", store::sample_key(id)},
                          {"label", id},
                          {"group", "g" + std::to_string(id)},
                          {"json", rec(tar.add(store::sample_key(id) + ".json", {json}))},
                          {"views", nlohmann::json::array()}};
      for (size_t m = 0; m < 2; ++m) {
        const int64_t side = m == 0 ? 8 : 4;
        const std::string header = store::npy_header({side, side, 3});
        const std::string pixels(size_t(side * side * 3), char(17 * (id + 1)));
        auto r = rec(tar.add(store::view_member(id, m), {header, pixels}));
        r["shape"] = {side, side, 3};
        s["views"].push_back(r);
      }
      samples.push_back(s);
    }
    tar.finish();
    const std::string idx = nlohmann::json{{"shard", store::shard_name(0)}, {"samples", samples}}.dump();
    nlohmann::json manifest = {
        {"format", store::kFormat},
        {"version", store::kVersion},
        {"complete", true},
        {"magnifications", {{{"index", 0}, {"magnification", 2.0}}, {{"index", 1}, {"magnification", 1.0}}}},
        {"classes", {"a", "b"}},
        {"samples", 2},
        {"shards", {{{"name", store::shard_name(0)}, {"index", store::index_name(0)}, {"first", 0}, {"samples", 2}}}},
        {"splits", {{"train", {0}}, {"val", {1}}, {"test", nlohmann::json::array()}, {"unlabeled", nlohmann::json::array()}}}};
    store::write_file_atomic(dir + "/" + store::kManifest, manifest.dump());
    return idx;
  }();
  return index;
}

// A little-endian classic TIFF: one IFD of a 16 x 16 image in one 16 x 16 tile of 768 raw bytes.
std::string tiff_seed() {
  std::string t;
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) t.push_back(char((v >> (8 * i)) & 255));
  };
  t += "II";
  put(42, 2);
  put(8, 4);
  const uint64_t entries[][3] = {{256, 3, 16}, {257, 3, 16}, {258, 3, 8},
                                 {259, 3, 1},  {262, 3, 2},  {277, 3, 3},
                                 {322, 3, 16}, {323, 3, 16}, {324, 4, 8 + 2 + 10 * 12 + 4},
                                 {325, 4, 768}};
  put(10, 2);
  for (const auto& e : entries) {
    put(e[0], 2);
    put(e[1], 2);
    put(1, 4);
    put(e[2], 4);
  }
  put(0, 4);
  t += std::string(768, '\x80');
  return t;
}

void write_bytes(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
}

void npy(const uint8_t* data, size_t size) {
  store::NpyShape shape;
  size_t header = 0;
  std::string why;
  if (store::npy_parse(data, size, shape, header, why) && size > 0) {
    volatile uint8_t last = data[header + size_t(shape.h * shape.w * shape.c) - 1];  // the payload is inside the input
    (void)last;
  }
}

void tar_header(const uint8_t* data, size_t size) {
  if (size < store::kTarBlock) return;
  (void)store::tar_header_problem(data, std::string(reinterpret_cast<const char*>(data + store::kTarBlock), size - store::kTarBlock), 1234);
}

// Opens the fixed store with the input as its index, then reads every view: without check() (as the loader may)
// and with it. Reading must never leave the mapped shard, whatever the index says.
void store_index(const uint8_t* data, size_t size) {
  fixed_store();
  const std::string dir = scratch() + "/store";
  write_bytes(dir + "/" + store::index_name(0), data, size);
  auto s = store::Store::open(dir);
  uint64_t sum = 0;
  for (size_t i = 0; i < s->size(); ++i) {
    (void)s->problem(i);
    for (size_t m = 0; m < s->magnifications(); ++m) {
      try {
        const auto v = s->view(i, m);
        for (int64_t k = 0; k < v.h * v.w * v.c; ++k) sum += v.pixels[k];
      } catch (const Error&) {
      }
    }
  }
  volatile uint64_t keep = sum;
  (void)keep;
}

void manifest_csv(const uint8_t* data, size_t size) {
  const std::string csv = scratch() + "/images.csv";
  write_bytes(csv, data, size);
  (void)store::list_images("", csv, {}, false);
}

// A safetensors file's first bytes: the 8-byte header length, the JSON header, then a data section of whatever
// follows. Every entry the parser accepts must lie inside the data, without overlaps.
void safetensors_header(const uint8_t* data, size_t size) {
  if (size < 8) return;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(data[i]) << (8 * i);
  if (n > size - 8) return;
  const std::string text(reinterpret_cast<const char*>(data + 8), size_t(n));
  std::map<std::string, std::string> metadata;
  const uint64_t data_size = size - 8 - n;
  for (const auto& e : models::parse_safetensors_header(text, data_size, "fuzz", &metadata)) {
    if (e.end > data_size || e.begin > e.end) std::abort();  // accepted a range outside the data
  }
}

// The TIFF pre-check over the input as a whole file: it must answer (a problem or none) for any bytes.
void tiff_check(const uint8_t* data, size_t size) {
  const slide::ReadAt read = [&](uint64_t offset, void* buf, size_t n) {
    if (offset > size || n > size - offset) return false;
    std::memcpy(buf, data + offset, n);
    return true;
  };
  (void)slide::tiff_problem(read, size);
}

}  // namespace

const std::vector<std::string>& targets() {
  static const std::vector<std::string> t{"npy", "tar-header", "store-index", "manifest-csv", "safetensors-header", "tiff-check"};
  return t;
}

void run_target(const std::string& target, const uint8_t* data, size_t size) {
  try {
    if (target == "npy") return npy(data, size);
    if (target == "tar-header") return tar_header(data, size);
    if (target == "store-index") return store_index(data, size);
    if (target == "manifest-csv") return manifest_csv(data, size);
    if (target == "safetensors-header") return safetensors_header(data, size);
    if (target == "tiff-check") return tiff_check(data, size);
  } catch (const Error&) {
    return;  // a typed refusal is the right answer to bad bytes
  }
  throw Error(code::kConfigInvalid,
              "unknown fuzz target '" + target + "' (npy, tar-header, store-index, manifest-csv, safetensors-header, tiff-check)");
}

std::string seed(const std::string& target) {
  if (target == "npy") return store::npy_header({2, 3, 3}) + std::string(18, '\x7f');
  if (target == "tar-header") {
    store::TarWriter tar(scratch() + "/seed.tar");
    tar.add("00000000.json", {std::string(1234, ' ')});
    tar.finish();
    std::ifstream in(scratch() + "/seed.tar", std::ios::binary);
    std::string block(store::kTarBlock, '\0');
    in.read(block.data(), std::streamsize(block.size()));
    return block + "00000000.json";
  }
  if (target == "store-index") return fixed_store();
  if (target == "manifest-csv") return "path,label,group\nimages/a.png,tumour,patient-1\n\"b,c.jpg\",,patient-2\n";
  if (target == "safetensors-header") {
    const std::string header =
        R"({"__metadata__":{"classes":"[\"a\",\"b\"]"},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}})";
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((uint64_t(header.size()) >> (8 * i)) & 255);
    return out + header + std::string(24, '\0');
  }
  if (target == "tiff-check") return tiff_seed();
  throw Error(code::kConfigInvalid, "unknown fuzz target '" + target + "'");
}

}  // namespace rd::fuzz
