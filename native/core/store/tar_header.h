// Reading side of the ustar headers TarWriter writes: a store checks each member's header against its index entry.
#pragma once
#include <cstdint>
#include <string>

namespace rd::store {

inline constexpr uint64_t kTarBlock = 512;

// The problem with the 512-byte header at `block` for a member named `name` of `size` bytes ("" when sound):
// a bad header checksum, another name, another size or a non-regular-file type.
std::string tar_header_problem(const uint8_t* block, const std::string& name, uint64_t size);

}  // namespace rd::store
