#include "support/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace engram {

std::string ErrnoText(int err) { return std::string(std::strerror(err)) + " (" + std::to_string(err) + ")"; }

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = "cannot open '" + path + "': " + ErrnoText(err);
    return err == ENOENT ? absl::NotFoundError(msg) : absl::UnavailableError(msg);
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return absl::UnavailableError("cannot read '" + path + "': " + ErrnoText(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  std::string tmpl = dir + "/." + target.filename().string() + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return absl::UnavailableError("cannot create temporary file in '" + dir + "': " + ErrnoText(errno));
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    return absl::UnavailableError(what + " '" + path + "': " + ErrnoText(err));
  };
  if (::fchmod(fd, mode) != 0) return fail("cannot set mode of");
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return absl::UnavailableError("cannot close '" + path + "': " + ErrnoText(err));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return absl::UnavailableError("cannot rename onto '" + path + "': " + ErrnoText(err));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& path, mode_t mode, bool private_dir) {
  std::filesystem::path p(path);
  if (p.has_parent_path() && p.parent_path() != p) {
    struct stat parent;
    if (::stat(p.parent_path().c_str(), &parent) != 0) {
      // Parents are ordinary directories (e.g. ~/.local/share): 0755 unless private.
      if (auto s = MakeDirs(p.parent_path().string(), private_dir ? mode : 0755, false); !s.ok()) return s;
    }
  }
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return absl::UnavailableError("cannot create directory '" + path + "': " + ErrnoText(errno));
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return absl::UnavailableError("cannot stat '" + path + "': " + ErrnoText(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError("'" + path + "' exists and is not a directory (or is a symlink)");
  }
  if (private_dir) {
    if (st.st_uid != ::geteuid()) {
      return absl::PermissionDeniedError("directory '" + path + "' is owned by uid " +
                                         std::to_string(st.st_uid) + ", not by us");
    }
    if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), mode) != 0) {
      return absl::PermissionDeniedError("cannot make '" + path + "' private: " + ErrnoText(errno));
    }
  }
  return absl::OkStatus();
}

}  // namespace engram
