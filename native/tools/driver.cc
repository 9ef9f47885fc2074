// resdistill-driver: runs any core job without Node (GPU servers, device checks).
//   resdistill-driver run <kind> <spec.json | -> [--threads N]   events as JSON lines on stderr, result on stdout
//   resdistill-driver info | jobs
//   resdistill-driver replay <fuzz target> <file>...   runs saved fuzz inputs (test/fuzz-corpus); a crash is a bug
#include <atomic>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "job/job.h"
#include "targets.h"
#include "util/error.h"
#include "util/error_info.h"
#include "util/threads.h"
#include "info/versions.h"

namespace {

std::shared_ptr<std::atomic<bool>> g_cancel = std::make_shared<std::atomic<bool>>(false);

void on_signal(int) { g_cancel->store(true); }

int usage() {
  std::cerr << "usage: resdistill-driver run <kind> <spec.json|-> [--threads N]\n"
               "       resdistill-driver info | jobs\n"
               "       resdistill-driver replay <fuzz target> <file>...\n";
  return 2;
}

std::string read_spec(const std::string& path) {
  if (path == "-") return {std::istreambuf_iterator<char>(std::cin), {}};
  std::ifstream in(path);
  if (!in) throw rd::Error(rd::code::kIo, "cannot read spec file '" + path + "'");
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  int threads = 0;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
  }
  rd::set_threads(threads);
  try {
    if (command == "info") {
      std::cout << rd::versions().dump(2) << "\n";
      return 0;
    }
    if (command == "jobs") {
      for (const auto& job : rd::job_kinds()) std::cout << job.kind << "\t" << job.summary << "\n";
      return 0;
    }
    if (command == "replay" && argc >= 3) {
      for (int i = 3; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        if (!in) throw rd::Error(rd::code::kIo, std::string("cannot read '") + argv[i] + "'");
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        rd::fuzz::run_target(argv[2], reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        std::cout << "ok " << argv[i] << "\n";
      }
      return 0;
    }
    if (command != "run" || argc < 4) return usage();
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // A data-parallel peer that dies closes its sockets: Gloo must see EPIPE (then DIST_FAILED), not die of SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    rd::Json spec;
    try {
      spec = rd::Json::parse(read_spec(argv[3]));
    } catch (const rd::Json::parse_error& e) {
      throw rd::Error(rd::code::kConfigInvalid, std::string("job spec is not valid JSON: ") + e.what());
    }
    rd::JobContext ctx([](const rd::Json& e) { std::cerr << e.dump() << "\n"; }, g_cancel);
    std::cout << rd::run_job(argv[2], spec, ctx).dump() << "\n";
    return 0;
  } catch (...) {
    auto info = rd::describe(std::current_exception());
    std::cout << rd::Json{{"error", {{"code", info.code}, {"message", info.message}}}}.dump() << "\n";
    return 1;
  }
}
