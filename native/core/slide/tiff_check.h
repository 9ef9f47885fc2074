// A TIFF's structure checked before OpenSlide sees it. OpenSlide trusts the byte counts and tile sizes a file
// declares and aborts the whole process (g_malloc, SIGTRAP) when one cannot be allocated, e.g. a BigTIFF tile byte
// count of 2^62; here every IFD, tile/strip byte count and offset is bounded by the file itself, and tiles by a
// plausible size. Pure C++ (no OpenSlide), so the fuzzer reaches it (native/fuzz).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace rd::slide {

// Reads n bytes at offset into buf; false when the file ends first.
using ReadAt = std::function<bool(uint64_t offset, void* buf, size_t n)>;

// Empty when the bytes are a TIFF whose declared sizes fit the file (or not a TIFF at all: OpenSlide decides those),
// else why not. file_size is the file's length.
std::string tiff_problem(const ReadAt& read, uint64_t file_size);

// Throws SLIDE_READ_FAILED naming `path` and the problem, for a TIFF whose declared sizes do not fit.
void check_tiff(const std::string& path);

}  // namespace rd::slide
