// CRC-32 (IEEE 802.3, the polynomial of zlib.crc32 and Python's binascii), so a store can be checked from Python.
// Hand-written (slicing-by-8) because the store reader must build with LibTorch + nlohmann only.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rd::store {

// Continues a running CRC (start with 0), like zlib's crc32(crc, buf, len).
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace rd::store
