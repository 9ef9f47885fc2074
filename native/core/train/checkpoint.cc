#include "train/checkpoint.h"

#include <torch/serialize.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/atomic_file.h"
#include "util/error.h"

namespace rd::train {
namespace fs = std::filesystem;

namespace {

// Serialises in memory, then writes through the store's crash-safe TempFile: a full disk is DISK_FULL naming the file
// (checked while writing, when the errno is still known), and a crash leaves the previous file intact.
template <typename Fn>
void save_atomic(const std::string& path, Fn&& write) {
  std::ostringstream bytes;
  write(bytes);
  store::write_file_atomic(path, bytes.str());
}

torch::Tensor json_tensor(const nlohmann::json& j) {
  const std::string s = j.dump();
  return torch::from_blob(const_cast<char*>(s.data()), {int64_t(s.size())}, torch::kUInt8).clone();
}

nlohmann::json tensor_json(const torch::Tensor& t) {
  auto c = t.contiguous();
  return nlohmann::json::parse(std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), c.numel()));
}

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer, const CheckpointMeta& meta) {
  save_atomic(path, [&](std::ostream& out) {
    torch::serialize::OutputArchive archive, model_archive, optim_archive;
    model.save(model_archive);
    optimizer.save(optim_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optim_archive);
    archive.write(
        "meta",
        json_tensor({{"epoch", meta.epoch}, {"bestScore", meta.best_score}, {"bestEpoch", meta.best_epoch}, {"history", meta.history}}));
    archive.save_to(out);
  });
}

bool load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer, CheckpointMeta& meta) {
  if (!fs::exists(path)) return false;
  try {
    torch::serialize::InputArchive archive, model_archive, optim_archive;
    archive.load_from(path);
    archive.read("model", model_archive);
    archive.read("optimizer", optim_archive);
    model.load(model_archive);
    optimizer.load(optim_archive);
    torch::Tensor m;
    archive.read("meta", m);
    const auto j = tensor_json(m);
    meta.epoch = j.at("epoch");
    meta.best_score = j.at("bestScore");
    meta.best_epoch = j.at("bestEpoch");
    meta.history = j.at("history");
  } catch (const std::exception& e) {
    throw Error(code::kIo,
                "checkpoint " + path + " is unreadable (" + std::string(e.what()).substr(0, 200) + "); delete it to restart this run");
  }
  return true;
}

void write_file_atomic(const std::string& path, const std::string& content) { store::write_file_atomic(path, content); }

}  // namespace rd::train
