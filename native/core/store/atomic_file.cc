#include "store/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "util/error.h"

namespace rd::store {

void throw_errno(const std::string& what, const std::string& path, int err) {
  const bool full = err == ENOSPC || err == EDQUOT;
  throw Error(full ? code::kDiskFull : code::kIo,
              what + " '" + path + "': " + std::strerror(err) + (full ? " (free space and rerun: files already finished are kept)" : ""));
}

TempFile::TempFile(std::string final_path) : final_(std::move(final_path)), tmp_(final_ + ".tmp") {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_errno("cannot create", tmp_, errno);
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void TempFile::write(const void* data, size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot write", tmp_, errno);
    p += n;
    size -= static_cast<size_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
}

void TempFile::commit() {
  if (::fsync(fd_) != 0) throw_errno("cannot flush", tmp_, errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw_errno("cannot close", tmp_, errno);
  if (std::rename(tmp_.c_str(), final_.c_str()) != 0) throw_errno("cannot rename", tmp_, errno);
  committed_ = true;
  fsync_dir(std::filesystem::path(final_).parent_path().string());
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  TempFile f(path);
  f.write(bytes.data(), bytes.size());
  f.commit();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(code::kIo, "cannot read '" + path + "'");
  return {std::istreambuf_iterator<char>(in), {}};
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename itself is already atomic
  ::fsync(fd);
  ::close(fd);
}

}  // namespace rd::store
