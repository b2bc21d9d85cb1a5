// One engramd per user: an exclusive flock on `<runtime dir>/engramd.lock`, holding the owner's pid.
// The lock is released by the kernel when the process exits (even on kill -9), so a stale file never
// blocks a new daemon. Not thread-safe; one per process.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace engram::daemon {

class InstanceLock {
 public:
  // ALREADY_EXISTS ("another engramd is running (pid N)") when held by a live process.
  static absl::StatusOr<InstanceLock> Acquire(const std::string& path);

  InstanceLock(InstanceLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }
  InstanceLock& operator=(InstanceLock&&) = delete;
  InstanceLock(const InstanceLock&) = delete;
  ~InstanceLock();

  const std::string& path() const { return path_; }

 private:
  InstanceLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace engram::daemon
