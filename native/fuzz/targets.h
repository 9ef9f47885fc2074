// Fuzz targets over the readers that parse untrusted bytes: .npy headers, tar headers, a store's index, the
// image manifest CSV, a safetensors header and a TIFF's structure (the pre-check before OpenSlide). Each returns
// normally for any input (typed rd::Error included); anything else is a bug.
// Built with libFuzzer by `npm run fuzz` and into the driver, whose `replay` command runs the regression corpus.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rd::fuzz {

const std::vector<std::string>& targets();
// Runs one input through `target`; throws CONFIG_INVALID for an unknown target.
void run_target(const std::string& target, const uint8_t* data, size_t size);
// A valid input for `target`, to seed its corpus.
std::string seed(const std::string& target);

}  // namespace rd::fuzz
