// Read side of a store: memory-maps every shard and gives zero-copy uint8 HWC views of any sample.
// Needs only the C++ standard library, POSIX mmap and nlohmann: GPU hosts read stores with no image libraries.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rd::store {

struct Member {
  std::string name;
  uint64_t offset = 0, size = 0;
  uint32_t crc32 = 0;
  int64_t h = 0, w = 0, c = 0;  // pixel members only
};

struct SampleInfo {
  std::string key;
  int64_t label = -1;  // -1: unlabeled
  std::string group;
  uint32_t shard = 0;
  Member json;
  std::vector<Member> views;  // one per magnification, m0 (highest) first
};

struct ViewRef {
  const uint8_t* pixels = nullptr;  // HWC, row-major, inside the mapped shard
  int64_t h = 0, w = 0, c = 0;
};

class Store {
 public:
  // Opening never throws for damaged shards: their problems are listed in problems() and their samples fail check().
  // A missing or unreadable manifest throws STORE_CORRUPT.
  static std::shared_ptr<Store> open(const std::string& dir);
  ~Store();

  const nlohmann::json& manifest() const { return manifest_; }
  size_t size() const { return samples_.size(); }
  size_t magnifications() const { return mags_; }
  const SampleInfo& sample(size_t i) const { return samples_.at(i); }
  const std::vector<std::string>& problems() const { return problems_; }
  std::vector<size_t> split(const std::string& name) const;  // "all", "train", "val", "test", "unlabeled"

  ViewRef view(size_t i, size_t mag) const;
  // CRC-checks every member of sample i once (cached); throws STORE_CORRUPT naming the shard, sample and member.
  void check(size_t i) const;
  // The same check returning the problem ("" when sound), for verify.
  std::string problem(size_t i) const;
  // What is wrong with shard k as a whole (its index, size, names or any member's checksum); "" when sound.
  std::string shard_damage(uint32_t k) const;
  std::string json_member(size_t i) const;
  std::string shard_path(uint32_t shard) const;

 private:
  struct Mapping {
    const uint8_t* data = nullptr;
    size_t size = 0;
  };
  Store() = default;
  void load_shard(uint32_t shard, const nlohmann::json& entry);

  std::string dir_;
  nlohmann::json manifest_;
  size_t mags_ = 0;
  std::vector<SampleInfo> samples_;
  std::vector<Mapping> maps_;
  std::vector<std::string> shard_problem_;  // per shard, "" when sound
  std::vector<std::string> problems_;
  std::unique_ptr<std::atomic<uint8_t>[]> checked_;  // 0 unknown, 1 sound
};

}  // namespace rd::store
