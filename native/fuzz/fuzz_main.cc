// libFuzzer entry for one target, chosen at build time (scripts/fuzz.mjs passes RESDISTILL_FUZZ_TARGET).
// Set RESDISTILL_FUZZ_SEED to a file path to have the target's valid seed written there first.
#include <cstdlib>
#include <fstream>

#include "targets.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* path = std::getenv("RESDISTILL_FUZZ_SEED")) {
    std::ofstream(path, std::ios::binary) << rd::fuzz::seed(RESDISTILL_FUZZ_TARGET);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rd::fuzz::run_target(RESDISTILL_FUZZ_TARGET, data, size);
  return 0;
}
