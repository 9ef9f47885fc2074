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
#include "util/error.h"

namespace rd::store {

std::shared_ptr<Store> Store::open(const std::string& dir) {
  std::shared_ptr<Store> s(new Store());
  s->dir_ = dir;
  s->manifest_ = read_manifest(dir);
  const auto& m = s->manifest_;
  try {
    s->mags_ = m.at("magnifications").size();
    const size_t n = m.at("samples").get<size_t>();
    s->samples_.resize(n);
    const auto& shards = m.at("shards");
    s->maps_.resize(shards.size());
    s->shard_problem_.resize(shards.size());
    for (uint32_t k = 0; k < shards.size(); ++k) s->load_shard(k, shards[k]);
  } catch (const nlohmann::json::exception& e) {
    throw Error("STORE_CORRUPT", dir + "/" + kManifest + ": malformed (" + e.what() + ")");
  }
  for (size_t i = 0; i < s->samples_.size(); ++i) {  // an index that silently drops a sample is damage too
    const auto& si = s->samples_[i];
    if (si.views.empty() && s->shard_problem_.at(si.shard).empty()) {
      s->shard_problem_[si.shard] = "shard " + m["shards"][si.shard]["name"].get<std::string>() + ": its index lacks sample " + sample_key(i);
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

// Reads one shard's index, maps its tar, and flags truncation naming the first sample it cuts.
void Store::load_shard(uint32_t k, const nlohmann::json& entry) {
  const std::string name = entry.at("name").get<std::string>();
  const std::string tar = dir_ + "/" + name;
  const size_t first = entry.at("first").get<size_t>(), count = entry.at("samples").get<size_t>();
  for (size_t i = first; i < first + count && i < samples_.size(); ++i) {
    samples_[i].key = sample_key(i);
    samples_[i].shard = k;
  }
  auto fail = [&](const std::string& why) {
    shard_problem_[k] = "shard " + name + ": " + why;
    problems_.push_back(shard_problem_[k]);
  };
  const std::string idx_path = dir_ + "/" + entry.at("index").get<std::string>();
  if (!std::filesystem::exists(tar) || !std::filesystem::exists(idx_path)) return fail("missing (samples " + sample_key(first) + " to " + sample_key(first + count - 1) + ")");
  std::string idx_bytes = read_file(idx_path);
  if (entry.contains("indexCrc32") && crc32(idx_bytes.data(), idx_bytes.size()) != entry["indexCrc32"].get<uint32_t>()) {
    return fail("index " + entry.at("index").get<std::string>() + " fails its checksum");
  }
  nlohmann::json idx;
  try {
    idx = nlohmann::json::parse(idx_bytes);
  } catch (const nlohmann::json::exception&) {
    return fail("index is not valid JSON");
  }
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
  auto member = [](const nlohmann::json& j) {
    Member m{j.at("name"), j.at("offset"), j.at("size"), j.at("crc32")};
    if (j.contains("shape")) m.h = j["shape"][0], m.w = j["shape"][1], m.c = j["shape"][2];
    return m;
  };
  for (const auto& js : idx.at("samples")) {
    const size_t i = std::stoul(js.at("key").get<std::string>());
    if (i >= samples_.size()) return fail("index names sample " + js.at("key").get<std::string>() + " beyond the manifest's count");
    SampleInfo& si = samples_[i];
    si.key = js.at("key");
    si.label = js.at("label").is_null() ? -1 : js.at("label").get<int64_t>();
    si.group = js.at("group");
    si.shard = k;
    si.json = member(js.at("json"));
    for (const auto& v : js.at("views")) si.views.push_back(member(v));
    uint64_t end = si.json.offset + si.json.size;
    for (const auto& v : si.views) end = std::max(end, v.offset + v.size);
    if (end > size) {
      return fail("truncated at byte " + std::to_string(size) + ": sample " + si.key + " (and any after it) is cut off");
    }
    if (si.views.size() != mags_) return fail("sample " + si.key + " has " + std::to_string(si.views.size()) + " views, expected " + std::to_string(mags_));
  }
  if (entry.contains("bytes") && entry["bytes"].get<uint64_t>() != size) {
    return fail("size " + std::to_string(size) + " differs from the manifest's " + entry["bytes"].dump() + " (truncated or appended)");
  }
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
  if (!shard_problem_[s.shard].empty()) throw Error("STORE_CORRUPT", problem(i));
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
    if (crc32(p, m->size) != m->crc32) return where + ": member " + m->name + " fails its CRC-32 checksum";
    if (m->c > 0) {
      NpyShape shape;
      size_t header = 0;
      std::string why;
      if (!npy_parse(p, m->size, shape, header, why)) return where + ": member " + m->name + ": " + why;
    }
  }
  return "";
}

void Store::check(size_t i) const {
  if (checked_[i].load(std::memory_order_relaxed) == 1) return;
  std::string p = problem(i);
  if (!p.empty()) throw Error("STORE_CORRUPT", p + " (run `resdistill store verify`)");
  checked_[i].store(1, std::memory_order_relaxed);
}

std::string Store::json_member(size_t i) const {
  const SampleInfo& s = samples_.at(i);
  if (!maps_[s.shard].data || !shard_problem_[s.shard].empty()) throw Error("STORE_CORRUPT", problem(i));
  return std::string(reinterpret_cast<const char*>(maps_[s.shard].data + s.json.offset), s.json.size);
}

std::string Store::shard_path(uint32_t shard) const { return dir_ + "/" + manifest_["shards"][shard]["name"].get<std::string>(); }

}  // namespace rd::store
