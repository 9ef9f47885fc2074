#include "train/distributed.h"

#include <torch/version.h>

#include <chrono>
#include <cstdlib>

#include "job/spec.h"
#include "util/error.h"

namespace rd::train {

namespace {

// A field from spec.distributed, else from torchrun's environment variable, else the default.
int int_field(const nlohmann::json& d, const std::string& key, const char* env, int fallback) {
  if (d.contains(key) && !d[key].is_null()) return spec::get<int>(d, key, fallback);
  const char* v = std::getenv(env);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < 0 || n > 1 << 20)
    throw Error(code::kConfigInvalid, std::string("environment ") + env + "='" + v + "' is not a count");
  return int(n);
}

std::string string_field(const nlohmann::json& d, const std::string& key, const char* env, const std::string& fallback) {
  if (d.contains(key) && !d[key].is_null()) return spec::get<std::string>(d, key, fallback);
  const char* v = std::getenv(env);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

DistSpec parse_distributed(const nlohmann::json& spec) {
  DistSpec s;
  const auto it = spec.find("distributed");
  const bool in_spec = it != spec.end() && it->is_object();
  if (it != spec.end() && it->is_boolean() && !it->get<bool>()) return s;  // "distributed": false
  spec::check(it == spec.end() || it->is_null() || it->is_object() || it->is_boolean(), "distributed", "must be an object or false");
  s.enabled = in_spec || (std::getenv("WORLD_SIZE") && *std::getenv("WORLD_SIZE"));
  if (!s.enabled) return s;
  const nlohmann::json d = in_spec ? *it : nlohmann::json::object();
  s.world = int_field(d, "worldSize", "WORLD_SIZE", 1);
  s.rank = int_field(d, "rank", "RANK", 0);
  s.local_rank = int_field(d, "localRank", "LOCAL_RANK", s.rank);
  s.master_addr = string_field(d, "masterAddr", "MASTER_ADDR", s.master_addr);
  s.master_port = int_field(d, "masterPort", "MASTER_PORT", s.master_port);
  s.backend = spec::get<std::string>(d, "backend", s.backend);
  s.timeout_seconds = spec::get<double>(d, "timeoutSeconds", s.timeout_seconds);
  spec::check(s.world >= 1, "distributed.worldSize", "must be >= 1");
  spec::check(s.rank >= 0 && s.rank < s.world, "distributed.rank", "needs 0 <= rank < worldSize (" + std::to_string(s.world) + ")");
  spec::check(s.master_port > 0 && s.master_port < 65536, "distributed.masterPort", "must be a TCP port");
  spec::check(s.backend == "auto" || s.backend == "gloo" || s.backend == "nccl", "distributed.backend", "use auto, gloo or nccl");
  spec::check(s.timeout_seconds > 0, "distributed.timeoutSeconds", "must be > 0");
  return s;
}

c10::Device rank_device(const c10::Device& device, const DistSpec& d) {
  if (!d.enabled || !device.is_cuda() || device.has_index()) return device;
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d.local_rank));
}

Rank join_rank(const nlohmann::json& spec, c10::Device& device, const JobContext& ctx) {
  const DistSpec dist = parse_distributed(spec);
  device = rank_device(device, dist);
  Rank r{dist.enabled ? join_group(dist, device) : nullptr, ctx};
  if (r.group && r.group->rank() != 0) r.ctx = ctx.silenced();
  return r;
}

nlohmann::json describe_distributed(const Group* group, int64_t batch_size, int64_t accumulate, double lr) {
  const int world = group ? group->world() : 1;
  return {{"backend", group ? nlohmann::json(group->backend()) : nlohmann::json(nullptr)},
          {"worldSize", world},
          {"rank", group ? group->rank() : 0},
          {"batchPerRank", batch_size},
          {"globalBatch", batch_size * world * accumulate},  // samples per optimiser step, over all ranks
          {"lr", lr},                                        // applied as given: no scaling with the world size
          {"collectiveSeconds", group ? group->seconds() : 0.0}};
}

}  // namespace rd::train
