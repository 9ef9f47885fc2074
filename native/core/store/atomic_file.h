// Crash-safe output: bytes go to "<final>.tmp", are fsynced, then renamed. A file under its final name is complete.
// Write errors become typed: ENOSPC/EDQUOT -> DISK_FULL, anything else -> IO_ERROR, each naming the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rd::store {

class TempFile {
 public:
  explicit TempFile(std::string final_path);
  ~TempFile();  // removes the temp file unless commit() succeeded
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, size_t size);
  uint64_t size() const { return size_; }
  void commit();  // fsync, close, rename to the final name, fsync the folder
  const std::string& final_path() const { return final_; }

 private:
  std::string final_, tmp_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool committed_ = false;
};

void write_file_atomic(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);  // IO_ERROR naming the path
void fsync_dir(const std::string& dir);
[[noreturn]] void throw_errno(const std::string& what, const std::string& path, int err);

}  // namespace rd::store
