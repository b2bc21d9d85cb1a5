#include "daemon/io/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "support/file_util.h"
#include "support/logging.h"

namespace engram::daemon {
namespace {

absl::StatusOr<std::string> NewToken() {
  unsigned char raw[32];
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError("token: cannot open /dev/urandom: " + ErrnoText(errno));
  ssize_t n = ::read(fd, raw, sizeof raw);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof raw)) return absl::UnavailableError("token: short read from /dev/urandom");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : raw) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

bool IsValidToken(const std::string& t) {
  return t.size() == 64 && t.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

absl::StatusOr<std::string> LoadOrCreateToken(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    bool private_file = S_ISREG(st.st_mode) && (st.st_mode & 077) == 0 && st.st_uid == ::geteuid();
    auto text = ReadFile(path);
    if (private_file && text.ok()) {
      std::string token = *text;
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
      if (IsValidToken(token)) return token;
    }
    GetLogger("daemon")->warn("token file {} is not a private 64-hex-digit file; writing a new token", path);
  }
  auto token = NewToken();
  if (!token.ok()) return token.status();
  if (auto s = WriteFileAtomically(path, *token + "\n", 0600); !s.ok()) {
    return absl::Status(s.code(), "token: " + std::string(s.message()));
  }
  return token;
}

}  // namespace engram::daemon
