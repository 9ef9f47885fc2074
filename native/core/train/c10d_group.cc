// The one translation unit that includes c10d: a Group on ProcessGroupGloo / ProcessGroupNCCL over a TCPStore.
// Built without c10d (RESDISTILL_C10D 0), join_group reports DIST_FAILED and the backends read as unavailable.
#include <torch/version.h>

#include "train/distributed.h"
#include "util/error.h"

#if RESDISTILL_C10D
#ifndef USE_C10D_GLOO  // Debian's TorchConfig defines it, PyPI's may not: the header is empty without it
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if RESDISTILL_C10D_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace rd::train {

nlohmann::json distributed_backends() {
#if RESDISTILL_C10D
  return {{"gloo", true}, {"nccl", bool(RESDISTILL_C10D_NCCL)}};
#else
  return {{"gloo", false}, {"nccl", false}};
#endif
}

#if !RESDISTILL_C10D

std::unique_ptr<Group> join_group(const DistSpec&, const c10::Device&) {
  throw Error(code::kDistFailed,
              "this build of resdistill has no c10d (distributed: unavailable); rebuild against a LibTorch "
              "with c10d and Gloo (Debian: apt install libgloo-dev, then npx resdistill setup)");
}

#else

namespace {

// LibTorch 2.x moved the collectives from ProcessGroup to Backend; the calls we use are the same.
#if TORCH_VERSION_MAJOR >= 2
using Backend = c10d::Backend;
#else
using Backend = c10d::ProcessGroup;
#endif

constexpr int64_t kBucketBytes = 25 << 20;      // DDP's default bucket size
constexpr int64_t kFirstBucketBytes = 1 << 20;  // DDP's first gradient bucket: small, so it starts early in backward
constexpr auto kBeat = std::chrono::milliseconds(1000);

std::string first_line(const std::string& s) {
  const auto nl = s.find('\n');
  return (nl == std::string::npos ? s : s.substr(0, nl)).substr(0, 300);
}

// Each rank bumps rd/alive/<rank> in the store once a second from its own client, so that after a failed
// collective the survivors can tell which peers stopped (a dead process stops beating; rank 0 hosts the store).
class Heartbeat {
 public:
  Heartbeat(const std::string& addr, int port, int rank) : rank_(rank) {
    c10d::TCPStoreOptions o;
    o.port = uint16_t(port);
    o.isServer = false;
    o.waitWorkers = false;
    o.timeout = std::chrono::milliseconds(5000);
    store_ = c10::make_intrusive<c10d::TCPStore>(addr, o);
    thread_ = std::thread([this] { beat(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Counters of every rank, read twice a few beats apart: the ranks whose counter did not move.
  std::vector<int> stalled(int world) {
    std::vector<int64_t> before(size_t(world), 0);
    for (int r = 0; r < world; ++r) before[size_t(r)] = read(r, 0);
    std::this_thread::sleep_for(kBeat * 3);
    std::vector<int> out;
    for (int r = 0; r < world; ++r) {
      if (r != rank_ && read(r, 0) == before[size_t(r)]) out.push_back(r);
    }
    return out;
  }

 private:
  static std::string key(int r) { return "rd/alive/" + std::to_string(r); }
  void beat() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      try {
        read(rank_, 1);
      } catch (...) {
        return;  // the store is gone: the failure path reports it
      }
      lock.lock();
      cv_.wait_for(lock, kBeat, [this] { return stop_; });
    }
  }
  int64_t read(int r, int64_t add) {
    std::lock_guard<std::mutex> lock(store_mu_);
    return store_->add(key(r), add);
  }

  int rank_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::mutex mu_, store_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Gradient buckets whose all-reduces start during backward, as DDP's: parameters in reverse registration order
// (backward makes their gradients roughly so), cut at kBucketBytes (the first at kFirstBucketBytes) and at dtype
// changes. A parameter's hook copies its final gradient (the one accumulated so far plus the incoming one: what
// AccumulateGrad leaves) into its bucket; a full bucket starts only after every bucket before it, so every rank
// issues them in one order.
class Overlap {
 public:
  Overlap(c10::intrusive_ptr<Backend> pg, const std::vector<at::Tensor>& params) : pg_(std::move(pg)) {
    for (auto it = params.rbegin(); it != params.rend(); ++it) {
      if (it->requires_grad()) params_.push_back(*it);
    }
    int64_t bytes = 0;
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& p = params_[i];
      const int64_t b = p.numel() * int64_t(p.element_size());
      const int64_t cap = buckets_.size() <= 1 ? kFirstBucketBytes : kBucketBytes;
      if (buckets_.empty() || bytes + b > cap || params_[buckets_.back().members.front()].scalar_type() != p.scalar_type()) {
        buckets_.emplace_back();
        bytes = 0;
      }
      auto& bucket = buckets_.back();
      where_.push_back({buckets_.size() - 1, bucket.members.size()});
      bucket.offsets.push_back(bytes / int64_t(p.element_size()));
      bucket.members.push_back(i);
      bytes += b;
    }
    for (auto& bucket : buckets_) {
      const auto& last = params_[bucket.members.back()];
      bucket.io = {at::empty({bucket.offsets.back() + last.numel()}, last.options().requires_grad(false))};
    }
  }

  // Hooks on every parameter: after this, each backward while armed fills and starts buckets.
  static void attach(const std::shared_ptr<Overlap>& self) {
    std::weak_ptr<Overlap> weak = self;
    for (size_t i = 0; i < self->params_.size(); ++i) {
      self->params_[i].register_hook([weak, i](const at::TensorBase& grad) {
        if (auto o = weak.lock()) o->on_gradient(i, at::Tensor(grad));
      });
    }
  }

  void arm() {
    std::lock_guard<std::mutex> lock(mu_);
    filled_.assign(params_.size(), false);
    for (auto& bucket : buckets_) bucket.pending = bucket.members.size(), bucket.work.reset();
    next_ = 0;
    armed_ = true;
  }
  bool armed() const { return armed_; }

  // Starts the buckets backward left incomplete (parameters without a gradient count as zeros), waits for all,
  // and writes the mean back into every gradient.
  template <typename Wait>
  void finish(int world, Wait&& wait) {
    std::lock_guard<std::mutex> lock(mu_);
    at::NoGradGuard no_grad;
    for (size_t b = next_; b < buckets_.size(); ++b) {
      for (size_t m = 0; m < buckets_[b].members.size(); ++m) {
        const size_t i = buckets_[b].members[m];
        if (filled_[i]) continue;
        auto& p = params_[i];
        if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
        slice(b, m).copy_(p.grad());
      }
      buckets_[b].pending = 0;
    }
    start_ready();
    armed_ = false;
    for (size_t b = 0; b < buckets_.size(); ++b) {
      wait(buckets_[b].work);
      buckets_[b].io[0].div_(double(world));
      for (size_t m = 0; m < buckets_[b].members.size(); ++m) params_[buckets_[b].members[m]].mutable_grad().copy_(slice(b, m));
    }
  }

 private:
  struct Bucket {
    std::vector<size_t> members;   // indexes into params_
    std::vector<int64_t> offsets;  // of each member in the flat buffer, in elements
    std::vector<at::Tensor> io;    // the flat buffer, as the collective takes it
    size_t pending = 0;            // members whose gradient is not final yet
    c10::intrusive_ptr<c10d::Work> work;
  };

  at::Tensor slice(size_t b, size_t m) {
    const auto& p = params_[buckets_[b].members[m]];
    return buckets_[b].io[0].narrow(0, buckets_[b].offsets[m], p.numel()).view(p.sizes());
  }

  void on_gradient(size_t i, const at::Tensor& incoming) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!armed_ || filled_[i] || !incoming.defined()) return;
    at::NoGradGuard no_grad;
    const auto [b, m] = where_[i];
    const at::Tensor& so_far = params_[i].grad();
    at::Tensor out = slice(b, m);
    if (so_far.defined())
      at::add_out(out, so_far, incoming);
    else
      out.copy_(incoming);
    filled_[i] = true;
    if (--buckets_[b].pending == 0) start_ready();
  }

  void start_ready() {
    while (next_ < buckets_.size() && buckets_[next_].pending == 0) {
      buckets_[next_].work = pg_->allreduce(buckets_[next_].io);
      ++next_;
    }
  }

  c10::intrusive_ptr<Backend> pg_;
  std::vector<at::Tensor> params_;
  std::vector<std::pair<size_t, size_t> > where_;  // parameter -> (bucket, member)
  std::vector<Bucket> buckets_;
  std::vector<bool> filled_;
  size_t next_ = 0;  // the next bucket to start
  bool armed_ = false;
  std::mutex mu_;
};

class C10dGroup final : public Group {
 public:
  C10dGroup(const DistSpec& d, std::string backend, const c10::Device& device, c10::intrusive_ptr<c10d::Store> store,
            c10::intrusive_ptr<Backend> pg)
      : d_(d),
        backend_(std::move(backend)),
        device_(device),
        store_(std::move(store)),
        pg_(std::move(pg)),
        timeout_(std::chrono::milliseconds(int64_t(d.timeout_seconds * 1000))) {
    try {
      heartbeat_ = std::make_unique<Heartbeat>(d.master_addr, d.master_port, d.rank);
    } catch (const std::exception&) {
      // Diagnosis only: without it a failure still fails, it just names no rank.
    }
  }

  int rank() const override { return d_.rank; }
  int world() const override { return d_.world; }
  std::string backend() const override { return backend_; }
  double seconds() const override { return seconds_; }

  void broadcast(const std::vector<at::Tensor>& tensors) override {
    guarded("broadcast of rank 0's weights", [&] {
      for_buckets(tensors, [&](std::vector<at::Tensor>& flat) {
        c10d::BroadcastOptions o;
        o.rootRank = 0;
        return pg_->broadcast(flat, o);
      });
    });
  }

  void overlap_next_backward(const std::vector<at::Tensor>& params) override { overlap(params).arm(); }

  void average_gradients(const std::vector<at::Tensor>& params) override {
    Overlap& o = overlap(params);
    if (!o.armed()) o.arm();  // nothing started during backward: every bucket starts now
    guarded("gradient all-reduce", [&] { o.finish(d_.world, [&](const c10::intrusive_ptr<c10d::Work>& w) { wait(w); }); });
  }

  void average(at::Tensor& values) override {
    guarded("loss all-reduce", [&] {
      std::vector<at::Tensor> t{on_device(values)};
      wait(pg_->allreduce(t));
      values.copy_(t[0].div_(double(d_.world)).to(values.device()));
    });
  }

  void check_same(int64_t value, const std::string& what) override {
    at::Tensor t = at::tensor({double(value), -double(value)}, at::kDouble);
    guarded("check of " + what, [&] {
      std::vector<at::Tensor> v{on_device(t)};
      c10d::AllreduceOptions o;
      o.reduceOp = c10d::ReduceOp::MAX;
      wait(pg_->allreduce(v, o));
      t = v[0].cpu();
    });
    const double hi = t[0].item<double>(), lo = -t[1].item<double>();
    if (hi != lo) {
      throw Error(code::kConfigInvalid, "ranks disagree on " + what + ": from " + std::to_string(int64_t(lo)) + " to " +
                                            std::to_string(int64_t(hi)) + " (this is rank " + std::to_string(d_.rank) + ": " +
                                            std::to_string(value) + ")");
    }
  }

  void barrier() override {
    at::Tensor one = at::ones({1}, at::kDouble);
    guarded("barrier", [&] {
      std::vector<at::Tensor> v{on_device(one)};
      wait(pg_->allreduce(v));
    });
  }

 private:
  // NCCL reduces on the rank's own GPU (cuda:<localRank>, or the one its spec names: resdistill run --devices).
  at::Tensor on_device(const at::Tensor& t) const { return backend_ == "nccl" ? t.to(device_) : t; }

  void wait(const c10::intrusive_ptr<c10d::Work>& work) const { work->wait(timeout_); }

  // The gradient buckets of `params`, built and hooked on first use (one model per group).
  Overlap& overlap(const std::vector<at::Tensor>& params) {
    if (!overlap_) {
      overlap_ = std::make_shared<Overlap>(pg_, params);
      Overlap::attach(overlap_);
    }
    return *overlap_;
  }

  // Same-dtype runs of `tensors` flattened into buckets of at most kBucketBytes; every bucket's collective is
  // started before the first is awaited, then the results are copied back.
  template <typename Start>
  void for_buckets(const std::vector<at::Tensor>& tensors, Start&& start) {
    struct Bucket {
      std::vector<at::Tensor> members;
      std::vector<at::Tensor> flat;
      c10::intrusive_ptr<c10d::Work> work;
    };
    std::vector<Bucket> buckets;
    int64_t bytes = 0;
    for (const auto& t : tensors) {
      const int64_t b = t.numel() * int64_t(t.element_size());
      if (buckets.empty() || bytes + b > kBucketBytes || buckets.back().members.front().scalar_type() != t.scalar_type()) {
        buckets.emplace_back();
        bytes = 0;
      }
      buckets.back().members.push_back(t);
      bytes += b;
    }
    at::NoGradGuard no_grad;
    for (auto& bucket : buckets) {
      std::vector<at::Tensor> parts;
      for (const auto& t : bucket.members) parts.push_back(t.reshape({-1}));
      bucket.flat = {at::cat(parts)};
      bucket.work = start(bucket.flat);
    }
    for (auto& bucket : buckets) {
      wait(bucket.work);
      at::Tensor flat = bucket.flat[0];
      int64_t offset = 0;
      for (auto& t : bucket.members) {
        t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
      }
    }
  }

  // Any c10d failure becomes DIST_FAILED naming the peers that stopped beating, or rank 0 when the store is gone.
  template <typename Fn>
  void guarded(const std::string& what, Fn&& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      fn();
      seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      const std::string cause = first_line(e.what());
      throw Error(code::kDistFailed, "rank " + std::to_string(d_.rank) + " of " + std::to_string(d_.world) + ": " + what + " failed: " +
                                         culprit() + " (" + cause + "); checkpoints are kept: rerun the same command to resume");
    }
  }

  std::string culprit() const {
    if (!heartbeat_) return "a peer rank stopped";
    std::vector<int> stalled;
    try {
      stalled = heartbeat_->stalled(d_.world);
    } catch (const std::exception&) {
      return d_.rank == 0
                 ? "the rendezvous store stopped answering"
                 : "rank 0 died or hangs (it hosts the rendezvous store at " + d_.master_addr + ":" + std::to_string(d_.master_port) + ")";
    }
    if (stalled.empty()) {
      return "no peer died, so one hangs or is far slower: the collective waited more than timeoutSeconds (" +
             std::to_string(int64_t(d_.timeout_seconds)) + " s)";
    }
    std::string names;
    for (int r : stalled) names += (names.empty() ? "" : ", ") + std::to_string(r);
    return (stalled.size() == 1 ? "rank " : "ranks ") + names + " died or stopped responding";
  }

  DistSpec d_;
  std::string backend_;
  c10::Device device_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Backend> pg_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Heartbeat> heartbeat_;
  std::shared_ptr<Overlap> overlap_;  // buckets started during backward (overlap_next_backward)
  double seconds_ = 0;
};

bool loopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0; }

c10::intrusive_ptr<Backend> make_gloo(const c10::intrusive_ptr<c10d::Store>& store, const DistSpec& d, std::chrono::milliseconds timeout) {
  auto o = c10d::ProcessGroupGloo::Options::create(timeout);
  const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifname && *ifname) {
    o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  } else if (loopback(d.master_addr)) {
    o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  o->threads = 2;
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, d.rank, d.world, o);
}

#if RESDISTILL_C10D_NCCL
c10::intrusive_ptr<Backend> make_nccl(const c10::intrusive_ptr<c10d::Store>& store, const DistSpec& d, std::chrono::milliseconds timeout) {
  // Without blocking wait a dead peer would hang NCCL forever; with it, Work::wait throws after the timeout.
  setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
  setenv("NCCL_BLOCKING_WAIT", "1", 0);
  auto o = c10d::ProcessGroupNCCL::Options::create();
  o->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, d.rank, d.world, o);
}
#endif

}  // namespace

std::unique_ptr<Group> join_group(const DistSpec& d, const c10::Device& device) {
  std::string backend = d.backend;
  if (backend == "auto") backend = device.is_cuda() && RESDISTILL_C10D_NCCL ? "nccl" : "gloo";
  if (backend == "nccl" && !(RESDISTILL_C10D_NCCL && device.is_cuda())) {
    throw Error(code::kConfigInvalid, "spec.distributed.backend: nccl needs device cuda and a LibTorch built with NCCL (this build: " +
                                          distributed_backends().dump() + "); use gloo");
  }
  const auto timeout = std::chrono::milliseconds(int64_t(d.timeout_seconds * 1000));
  const std::string where = d.master_addr + ":" + std::to_string(d.master_port);
  // Under torchrun (static rendezvous) the agent on node 0 already serves the store at MASTER_PORT: every rank is a
  // client and keys live under /worker/attempt_<restart>, as torch.distributed's env:// rendezvous does it.
  const char* agent = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
  const bool agent_store = agent && std::string(agent) == "True";
  const char* restart = std::getenv("TORCHELASTIC_RESTART_COUNT");
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions o;
    o.port = uint16_t(d.master_port);
    o.isServer = d.rank == 0 && !agent_store;
    o.numWorkers = size_t(d.world);
    o.waitWorkers = true;
    o.timeout = timeout;
    store = c10::make_intrusive<c10d::TCPStore>(d.master_addr, o);
    if (agent_store) store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::string(restart ? restart : "0"), store);
  } catch (const std::exception& e) {
    throw Error(code::kDistFailed, "rank " + std::to_string(d.rank) + " of " + std::to_string(d.world) + ": rendezvous at " + where +
                                       " failed within " + std::to_string(int64_t(d.timeout_seconds)) +
                                       " s: " + (d.rank == 0 ? "not every rank arrived (or the port is taken)" : "rank 0 did not answer") +
                                       " (" + first_line(e.what()) + ")");
  }
  c10::intrusive_ptr<Backend> pg;
  try {
#if RESDISTILL_C10D_NCCL
    pg = backend == "nccl" ? make_nccl(store, d, timeout) : make_gloo(store, d, timeout);
#else
    pg = make_gloo(store, d, timeout);
#endif
  } catch (const std::exception& e) {
    throw Error(code::kDistFailed, "rank " + std::to_string(d.rank) + " of " + std::to_string(d.world) + ": rendezvous of the " + backend +
                                       " process group at " + where + " failed within " + std::to_string(int64_t(d.timeout_seconds)) +
                                       " s: not every rank arrived (" + first_line(e.what()) + ")");
  }
  return std::make_unique<C10dGroup>(d, backend, device, store, pg);
}

#endif  // RESDISTILL_C10D

}  // namespace rd::train
