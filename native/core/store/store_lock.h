// One writer per store folder: a second extract/merge into the same folder fails fast with STORE_LOCKED.
#pragma once
#include <string>

namespace rd::store {

class StoreLock {
 public:
  explicit StoreLock(const std::string& dir);  // creates dir/.lock and holds an exclusive flock on it
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace rd::store
