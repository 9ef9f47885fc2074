// Data-parallel training on PyTorch's c10d (Gloo on CPU, NCCL on CUDA): the rendezvous, the broadcast of rank 0's
// weights, gradient averaging with bucketed flat all-reduces started during backward, and DIST_FAILED (naming the
// rank) instead of a hang.
//
//   spec.distributed = { rank, worldSize, localRank, masterAddr, masterPort, backend: auto|gloo|nccl, timeoutSeconds }
//   Each field falls back to torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT);
//   training is distributed when spec.distributed is an object or WORLD_SIZE is set, and never when it is false.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "job/job.h"

namespace rd::train {

struct DistSpec {
  bool enabled = false;
  int rank = 0, world = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;       // torchrun's default
  std::string backend = "auto";  // nccl on CUDA when built with it, else gloo
  double timeout_seconds = 600;  // a dead or hung peer fails the others within this
};

// CONFIG_INVALID naming the field (spec.distributed.* or the environment variable) when a value is bad.
DistSpec parse_distributed(const nlohmann::json& spec);

// The backends this build can use: {"gloo": bool, "nccl": bool}; both false when c10d was not found at build time.
nlohmann::json distributed_backends();

// One rank of a joined process group. Every method is a collective: all ranks call it in the same order.
// A failed collective (dead peer, timeout, closed store) throws Error("DIST_FAILED") naming the rank(s) at fault.
class Group {
 public:
  virtual ~Group() = default;
  virtual int rank() const = 0;
  virtual int world() const = 0;
  virtual std::string backend() const = 0;
  // Rank 0's values into every rank's tensors (weights and buffers).
  virtual void broadcast(const std::vector<at::Tensor>& tensors) = 0;
  // The next backward is the last before average_gradients: each bucket's all-reduce starts during it, as soon
  // as all of its gradients are final (hooks registered on `params` the first time), as DDP overlaps them.
  virtual void overlap_next_backward(const std::vector<at::Tensor>& params) = 0;
  // Every rank's gradients replaced by the mean over ranks; undefined gradients count as zeros. Waits for the
  // buckets started during backward and starts the rest (in bucket order on every rank).
  virtual void average_gradients(const std::vector<at::Tensor>& params) = 0;
  // The mean over ranks of a float64 vector, in place (losses and loss terms).
  virtual void average(at::Tensor& values) = 0;
  // CONFIG_INVALID on every rank when `value` differs between ranks (epoch counts, resumed epoch, ...).
  virtual void check_same(int64_t value, const std::string& what) = 0;
  virtual void barrier() = 0;
  // Wall time spent in collectives so far, waiting for slower ranks included: an upper bound on their overhead.
  virtual double seconds() const = 0;
};

// Joins the group `d` describes on `device` (TCPStore rendezvous hosted by rank 0); DIST_FAILED when the
// rendezvous times out or the backend is missing from this build.
std::unique_ptr<Group> join_group(const DistSpec& d, const c10::Device& device);

// cuda -> cuda:<localRank> when distributed on CUDA without an explicit index (one GPU per rank).
c10::Device rank_device(const c10::Device& device, const DistSpec& d);

// One training job's rank: the group its spec (or torchrun's environment) describes, joined on the rank's device,
// and the context its events go through (silenced on ranks other than 0, so events come from rank 0 only).
struct Rank {
  std::unique_ptr<Group> group;  // null when the job is not distributed
  JobContext ctx;
};

// Sets `device` to the rank's device (rank_device) and joins the group when the spec is distributed.
Rank join_rank(const nlohmann::json& spec, c10::Device& device, const JobContext& ctx);

// What the result records about the run's parallelism: backend, ranks, per-rank and global batch, lr.
nlohmann::json describe_distributed(const Group* group, int64_t batch_size, int64_t accumulate, double lr);

}  // namespace rd::train
