#include "store/store_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "store/atomic_file.h"
#include "store/crc32.h"
#include "store/npy.h"
#include "store/store_format.h"
#include "store/tar_header.h"
#include "util/error.h"
#include "util/memory_budget.h"

namespace rd::store {

std::shared_ptr<Store> Store::open(const std::string& dir) {
  std::shared_ptr<Store> s(new Store());
  s->dir_ = dir;
  s->manifest_ = read_manifest(dir);
  const auto& m = s->manifest_;
  try {
    s->mags_ = m.at("magnifications").size();
    const size_t n = m.at("samples").get<size_t>();
    check_memory(double(n) * sizeof(SampleInfo) * 2,
                 "the index of a store of " + std::to_string(n) + " samples");  // entries and their names
    s->samples_.resize(n);
    const auto& shards = m.at("shards");
    s->maps_.resize(shards.size());
    s->shard_problem_.resize(shards.size());
    for (uint32_t k = 0; k < shards.size(); ++k) s->load_shard(k, shards[k]);
  } catch (const nlohmann::json::exception& e) {
    throw Error(code::kStoreCorrupt, dir + "/" + kManifest + ": malformed (" + e.what() + ")");
  }
  for (size_t i = 0; i < s->samples_.size(); ++i) {  // an index that silently drops a sample is damage too
    const auto& si = s->samples_[i];
    if (si.views.empty() && s->shard_problem_.at(si.shard).empty()) {
      s->shard_problem_[si.shard] =
          "shard " + m["shards"][si.shard]["name"].get<std::string>() + ": its index lacks sample " + sample_key(i);
      s->problems_.push_back(s->shard_problem_[si.shard]);
    }
  }
  if (!s->manifest_.value("complete", false)) {
    s->problems_.insert(s->problems_.begin(), "store is incomplete (extraction has not finished, or this is one part before merging)");
  }
  s->checked_.reset(new std::atomic<uint8_t>[s->samples_.size()]);
  for (size_t i = 0; i < s->samples_.size(); ++i) s->checked_[i].store(0);
  return s;
}

Store::~Store() {
  for (auto& m : maps_) {
    if (m.data) ::munmap(const_cast<uint8_t*>(m.data), m.size);
  }
}

namespace {

// A name the manifest gives a shard or index must be a plain file name: nothing may lead out of the store folder.
bool plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

// One index member entry, parsed without trusting it: wrong types and out-of-range numbers are problems, not UB.
std::string parse_member(const nlohmann::json& j, bool pixels, Member& m) {
  if (!j.is_object()) return "is not an object";
  auto uint_field = [&](const char* key, uint64_t& out) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) return false;
    out = j[key].get<uint64_t>();
    return true;
  };
  if (!j.contains("name") || !j["name"].is_string()) return "has no name";
  m.name = j["name"].get<std::string>();
  uint64_t crc = 0;
  if (!uint_field("offset", m.offset) || !uint_field("size", m.size) || !uint_field("crc32", crc) || crc > 0xFFFFFFFFu) {
    return "member " + m.name + ": offset, size or crc32 is not an unsigned integer";
  }
  m.crc32 = uint32_t(crc);
  if (!pixels) return "";
  const auto& shape = j.value("shape", nlohmann::json());
  if (!shape.is_array() || shape.size() != 3 || !shape[0].is_number_unsigned() || !shape[1].is_number_unsigned() ||
      !shape[2].is_number_unsigned()) {
    return "member " + m.name + ": shape is not three unsigned integers";
  }
  const uint64_t h = shape[0], w = shape[1], c = shape[2];
  if (h < 1 || w < 1 || h > kMaxViewSide || w > kMaxViewSide || c < 1 || c > 4) {
    return "member " + m.name + ": shape " + shape.dump() + " is outside 1..2^20 x 1..2^20 x 1..4";
  }
  m.h = int64_t(h), m.w = int64_t(w), m.c = int64_t(c);
  const uint64_t expected = npy_header({m.h, m.w, m.c}).size() + h * w * c;
  if (m.size != expected) {
    return "member " + m.name + ": index shape " + shape.dump() + " needs " + std::to_string(expected) + " bytes but the member holds " +
           std::to_string(m.size);
  }
  return "";
}

}  // namespace

// Reads one shard's index, maps its tar, and checks every entry against the shard before any member is read:
// names, order, sizes implied by shapes, offsets inside the file. Flags truncation naming the first sample it cuts.
void Store::load_shard(uint32_t k, const nlohmann::json& entry) {
  const std::string name = entry.at("name").get<std::string>();
  const std::string index = entry.at("index").get<std::string>();
  const size_t first = entry.at("first").get<size_t>(), count = entry.at("samples").get<size_t>();
  auto fail = [&](const std::string& why) {
    shard_problem_[k] = "shard " + name + ": " + why;
    problems_.push_back(shard_problem_[k]);
  };
  if (first > samples_.size() || count > samples_.size() - first)
    return fail("the manifest places it beyond the store's " + std::to_string(samples_.size()) + " samples");
  for (size_t i = first; i < first + count; ++i) {
    samples_[i].key = sample_key(i);
    samples_[i].shard = k;
  }
  if (!plain_file_name(name) || !plain_file_name(index))
    return fail("its name or index name points outside the store folder; refusing to read it");
  const std::string tar = dir_ + "/" + name;
  const std::string idx_path = dir_ + "/" + index;
  if (count == 0) return;
  if (!std::filesystem::exists(tar) || !std::filesystem::exists(idx_path))
    return fail("missing (samples " + sample_key(first) + " to " + sample_key(first + count - 1) + ")");
  check_memory(double(std::filesystem::file_size(idx_path)) * 8, "index " + index + " (parsed)");  // JSON text and its parsed tree
  std::string idx_bytes = read_file(idx_path);
  if (entry.contains("indexCrc32") && crc32(idx_bytes.data(), idx_bytes.size()) != entry["indexCrc32"].get<uint32_t>()) {
    return fail("index " + index + " fails its checksum");
  }
  nlohmann::json idx;
  try {
    idx = nlohmann::json::parse(idx_bytes);
  } catch (const nlohmann::json::exception&) {
    return fail("index is not valid JSON");
  }
  if (!idx.is_object() || !idx.contains("samples") || !idx["samples"].is_array()) return fail("index has no samples list");
  int fd = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    return fail("cannot open");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) maps_[k] = {static_cast<const uint8_t*>(p), size};
  }
  ::close(fd);
  if (!maps_[k].data) return fail("cannot memory-map");
  const bool size_as_recorded = entry.contains("bytes") && entry["bytes"].is_number_unsigned() && entry["bytes"].get<uint64_t>() == size;
  const int64_t classes = manifest_.contains("classes") && manifest_["classes"].is_array() ? int64_t(manifest_["classes"].size()) : -1;
  uint64_t next = 0;  // members follow each other: each starts after the previous one and its 512-byte header
  std::vector<SampleInfo> parsed;
  for (size_t j = 0; j < idx["samples"].size(); ++j) {
    const auto& js = idx["samples"][j];
    const size_t i = first + j;
    const std::string key = i < first + count ? sample_key(i) : "#" + std::to_string(j);
    if (j >= count) return fail("index lists more samples than the manifest's " + std::to_string(count));
    if (!js.is_object() || js.value("key", nlohmann::json()) != key)
      return fail("index entry " + std::to_string(j) + " is not sample " + key);
    SampleInfo si;
    si.key = key;
    si.shard = k;
    const auto& label = js.value("label", nlohmann::json());
    if (label.is_null()) {
      si.label = -1;
    } else if (label.is_number_integer() && label.get<int64_t>() >= 0 && (classes < 0 || label.get<int64_t>() < classes)) {
      si.label = label.get<int64_t>();
    } else {
      return fail("sample " + key + ": label " + label.dump() + " is not a class index");
    }
    if (!js.contains("group") || !js["group"].is_string()) return fail("sample " + key + ": group is not a string");
    si.group = js["group"].get<std::string>();
    if (!js.contains("views") || !js["views"].is_array()) return fail("sample " + key + ": no views list");
    if (js["views"].size() != mags_)
      return fail("sample " + key + " has " + std::to_string(js["views"].size()) + " views, expected " + std::to_string(mags_));
    si.views.resize(mags_);
    std::vector<std::pair<Member*, std::string>> members{{&si.json, key + ".json"}};
    for (size_t m = 0; m < mags_; ++m) members.push_back({&si.views[m], view_member(i, m)});
    for (size_t m = 0; m < members.size(); ++m) {
      Member& mem = *members[m].first;
      const std::string why = parse_member(m == 0 ? js.value("json", nlohmann::json()) : js["views"][m - 1], m > 0, mem);
      if (!why.empty()) return fail("sample " + key + ": " + why);
      if (mem.name != members[m].second)
        return fail("sample " + key + ": index names member '" + mem.name + "' where " + members[m].second + " belongs");
      if (mem.offset < next + kTarBlock || mem.offset % kTarBlock != 0) {
        return fail("sample " + key + ": member " + mem.name + " starts at byte " + std::to_string(mem.offset) +
                    ", not after the previous member and its header");
      }
      if (mem.offset > size || mem.size > size - mem.offset) {
        if (size_as_recorded)
          return fail("sample " + key + ": index places member " + mem.name + " past the end of the shard (" + std::to_string(size) +
                      " bytes)");
        return fail("truncated at byte " + std::to_string(size) + ": sample " + key + " (and any after it) is cut off");
      }
      next = mem.offset + (mem.size + kTarBlock - 1) / kTarBlock * kTarBlock;
    }
    parsed.push_back(std::move(si));
  }
  if (entry.contains("bytes") && !size_as_recorded) {
    return fail("size " + std::to_string(size) + " differs from the manifest's " + entry["bytes"].dump() + " (truncated or appended)");
  }
  for (size_t j = 0; j < parsed.size(); ++j) samples_[first + j] = std::move(parsed[j]);
}

std::vector<size_t> Store::split(const std::string& name) const {
  std::vector<size_t> ids;
  if (name == "all") {
    for (size_t i = 0; i < samples_.size(); ++i) ids.push_back(i);
    return ids;
  }
  const auto& splits = manifest_.at("splits");
  if (!splits.contains(name)) throw Error(code::kConfigInvalid, "unknown split '" + name + "' (use train, val, test, unlabeled or all)");
  for (const auto& v : splits[name]) ids.push_back(v.get<size_t>());
  return ids;
}

ViewRef Store::view(size_t i, size_t mag) const {
  const SampleInfo& s = samples_.at(i);
  if (!shard_problem_[s.shard].empty()) throw Error(code::kStoreCorrupt, problem(i));
  const Member& m = s.views.at(mag);
  const size_t header = npy_header({m.h, m.w, m.c}).size();
  return {maps_[s.shard].data + m.offset + header, m.h, m.w, m.c};
}

std::string Store::problem(size_t i) const {
  const SampleInfo& s = samples_.at(i);
  if (!shard_problem_.at(s.shard).empty()) return shard_problem_[s.shard] + " (sample " + s.key + ")";
  const std::string where = "shard " + manifest_["shards"][s.shard]["name"].get<std::string>() + ", sample " + s.key;
  std::vector<const Member*> members{&s.json};
  for (const auto& v : s.views) members.push_back(&v);
  for (const Member* m : members) {
    const uint8_t* p = maps_[s.shard].data + m->offset;
    const std::string tar_why = tar_header_problem(p - kTarBlock, m->name, m->size);
    if (!tar_why.empty()) return where + ": " + tar_why;
    if (crc32(p, m->size) != m->crc32) return where + ": member " + m->name + " fails its CRC-32 checksum";
    if (m->c > 0) {
      NpyShape shape;
      size_t header = 0;
      std::string why;
      if (!npy_parse(p, m->size, shape, header, why)) return where + ": member " + m->name + ": " + why;
      if (shape.h != m->h || shape.w != m->w || shape.c != m->c)
        return where + ": member " + m->name + ": its .npy shape differs from the index shape";
    }
  }
  return "";
}

std::string Store::shard_damage(uint32_t k) const {
  if (!shard_problem_.at(k).empty()) return shard_problem_[k];
  const auto& entry = manifest_["shards"][k];
  const size_t first = entry["first"].get<size_t>(), count = entry["samples"].get<size_t>();
  for (size_t i = first; i < first + count; ++i) {
    if (samples_[i].views.empty()) return "shard " + entry["name"].get<std::string>() + ": its index lacks sample " + sample_key(i);
    std::string p = problem(i);
    if (!p.empty()) return p;
  }
  return "";
}

void Store::check(size_t i) const {
  if (checked_[i].load(std::memory_order_relaxed) == 1) return;
  std::string p = problem(i);
  if (!p.empty()) throw Error(code::kStoreCorrupt, p + " (run `resdistill store verify`)");
  checked_[i].store(1, std::memory_order_relaxed);
}

std::string Store::json_member(size_t i) const {
  const SampleInfo& s = samples_.at(i);
  if (!maps_[s.shard].data || !shard_problem_[s.shard].empty()) throw Error(code::kStoreCorrupt, problem(i));
  return std::string(reinterpret_cast<const char*>(maps_[s.shard].data + s.json.offset), s.json.size);
}

std::string Store::shard_path(uint32_t shard) const { return dir_ + "/" + manifest_["shards"][shard]["name"].get<std::string>(); }

}  // namespace rd::store
