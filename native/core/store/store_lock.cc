#include "store/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "store/atomic_file.h"
#include "util/error.h"

namespace rd::store {

StoreLock::StoreLock(const std::string& dir) {
  const std::string path = dir + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_errno("cannot create lock", path, errno);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw Error(code::kStoreLocked,
                "another process is writing the store '" + dir + "' (lock " + path + "); wait for it or use another --out");
  }
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock; the lock file stays (it is empty)
}

}  // namespace rd::store
