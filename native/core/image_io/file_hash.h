// SHA-256 of a source file (OpenSSL's libcrypto), for provenance: a store records exactly which bytes it came from.
#pragma once
#include <cstdint>
#include <string>

namespace rd::image_io {

struct FileHash {
  std::string sha256;  // lowercase hex
  uint64_t bytes = 0;
};

FileHash hash_file(const std::string& path);  // IO_ERROR naming the file

}  // namespace rd::image_io
