// Async jobs: runJob() runs a core job on a worker thread, streams ordered events, and honours a CancelToken.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "common.h"
#include "job/job.h"
#include "util/threads.h"

namespace rd::addon {
namespace {

/** new CancelToken(): a flag the JS side sets on AbortSignal; jobs poll it every batch, tile or step. */
class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CancelToken",
                       {InstanceMethod<&CancelToken::Cancel>("cancel"), InstanceAccessor<&CancelToken::Cancelled>("cancelled")});
  }
  explicit CancelToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelToken>(info) {}
  std::shared_ptr<std::atomic<bool>> flag() const { return flag_; }

 private:
  /** cancel(): sync. Asks the running job to stop; it rejects with code CANCELLED. */
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    flag_->store(true);
    return info.Env().Undefined();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), flag_->load()); }

  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

/**
 * Every job's body runs on this one long-lived thread, in order. LibTorch's OpenMP keeps one thread team per
 * calling thread: jobs spread over libuv's pool would leave idle teams behind, and once the process holds more
 * OpenMP threads than cores, libgomp stops spinning at its barriers. Measured (bench.trainStep, 56 px, 2 threads):
 * the first job ran 1061/1420 img/s, every later one about 660/650, slower than 1 thread; on one thread, all of
 * them run at the first one's speed.
 */
class ComputeThread {
 public:
  static ComputeThread& get() {
    static ComputeThread* instance = new ComputeThread();  // never destroyed: jobs may still run at exit
    return *instance;
  }

  /** Runs `body` on the compute thread and waits for it (called from a libuv worker). */
  void run(std::function<void()> body) {
    std::packaged_task<void()> task(std::move(body));
    auto done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    ready_.notify_one();
    done.get();
  }

 private:
  ComputeThread() : thread_([this] { loop(); }) { thread_.detach(); }

  void loop() {
    for (;;) {
      std::packaged_task<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<void()>> queue_;
  std::thread thread_;
};

// Inputs are copied into plain strings before queueing; Execute never touches a Napi value.

class JobWorker : public Napi::AsyncProgressQueueWorker<std::string> {
 public:
  JobWorker(Napi::Function on_event, std::string kind, std::string spec, std::shared_ptr<std::atomic<bool>> cancel)
      : Napi::AsyncProgressQueueWorker<std::string>(on_event, "resdistill.job"),
        deferred_(Napi::Promise::Deferred::New(on_event.Env())),
        kind_(std::move(kind)),
        spec_(std::move(spec)),
        cancel_(std::move(cancel)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute(const ExecutionProgress& progress) override {
    ComputeThread::get().run([&] {
      rd::adopt_threads();  // setThreads() ran on the JS thread; an earlier job may have set its own count
      try {
        Json spec = Json::parse(spec_);
        JobContext ctx(
            [&progress](const Json& e) {
              std::string s = e.dump();
              progress.Send(&s, 1);
            },
            cancel_);
        result_ = run_job(kind_, spec, ctx).dump();
      } catch (const Json::parse_error& e) {
        error_ = ErrorInfo{rd::code::kConfigInvalid, std::string("job spec is not valid JSON: ") + e.what()};
      } catch (...) {
        error_ = describe(std::current_exception());
      }
    });
  }

  void OnProgress(const std::string* events, size_t count) override {
    Napi::HandleScope scope(Env());
    for (size_t i = 0; i < count; ++i) Callback().Call({Napi::String::New(Env(), events[i])});
  }

  void OnOK() override {
    if (error_.code.empty()) {
      deferred_.Resolve(Napi::String::New(Env(), result_));
    } else {
      deferred_.Reject(make_error(Env(), error_).Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string kind_, spec_, result_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  ErrorInfo error_;
};

/** runJob(kind: string, specJson: string, onEvent: (json: string) => void, token: CancelToken): async.
 *  Returns Promise<string> (the result JSON). Rejects with an Error whose `code` is the core's. */
Napi::Value RunJob(const Napi::CallbackInfo& info) {
  RD_REQUIRE_ARGS(info, 4, "runJob(kind, specJson, onEvent, token)");
  RD_REQUIRE(info, info[0].IsString(), "runJob: kind must be a string");
  RD_REQUIRE(info, info[1].IsString(), "runJob: specJson must be a string");
  RD_REQUIRE(info, info[2].IsFunction(), "runJob: onEvent must be a function");
  RD_REQUIRE(info, info[3].IsObject(), "runJob: token must be a CancelToken");
  auto* token = CancelToken::Unwrap(info[3].As<Napi::Object>());
  RD_REQUIRE(info, token != nullptr, "runJob: token must be a CancelToken");
  auto* worker = new JobWorker(info[2].As<Napi::Function>(), info[0].As<Napi::String>(), info[1].As<Napi::String>(), token->flag());
  auto promise = worker->Promise();
  worker->Queue();
  return promise;
}

const Register kRegister([](Napi::Env env, Napi::Object exports) {
  exports.Set("CancelToken", CancelToken::Define(env));
  exports.Set("runJob", Napi::Function::New(env, RunJob, "runJob"));
});

}  // namespace
}  // namespace rd::addon
