#include "daemon/io/daemonize.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace engram::daemon {
namespace {

void WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

[[noreturn]] void WaitForDaemon(int read_fd) {
  std::string msg;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(read_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  // Protocol: "ok\n<message>" or "err <code>\n<message>".
  size_t nl = msg.find('\n');
  std::string head = msg.substr(0, nl);
  std::string body = nl == std::string::npos ? std::string() : msg.substr(nl + 1);
  if (head == "ok") {
    std::fputs(body.c_str(), stdout);
    std::exit(0);
  }
  if (head.rfind("err ", 0) == 0) {
    std::fputs(body.c_str(), stderr);
    std::exit(std::atoi(head.c_str() + 4));
  }
  std::fputs("engramd: the daemon exited during start-up without a report (see its log file)\n", stderr);
  std::exit(1);
}

}  // namespace

void StartupReporter::Ready(std::string_view message) {
  if (fd_ < 0) {
    std::fprintf(stdout, "%.*s", static_cast<int>(message.size()), message.data());
    std::fflush(stdout);
    return;
  }
  WriteAll(fd_, "ok\n");
  WriteAll(fd_, message);
  ::close(fd_);
  fd_ = -1;
}

void StartupReporter::Fail(int exit_code, std::string_view message) {
  if (fd_ < 0) {
    std::fprintf(stderr, "%.*s", static_cast<int>(message.size()), message.data());
    return;
  }
  WriteAll(fd_, "err " + std::to_string(exit_code) + "\n");
  WriteAll(fd_, message);
  ::close(fd_);
  fd_ = -1;
}

StartupReporter Daemonize() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("engramd: pipe");
    std::exit(1);
  }
  pid_t child = ::fork();
  if (child < 0) {
    std::perror("engramd: fork");
    std::exit(1);
  }
  if (child > 0) {
    ::close(fds[1]);
    int status = 0;
    ::waitpid(child, &status, 0);  // the intermediate child exits at once
    WaitForDaemon(fds[0]);
  }
  ::close(fds[0]);
  ::setsid();
  pid_t grandchild = ::fork();
  if (grandchild < 0) std::_Exit(1);
  if (grandchild > 0) std::_Exit(0);
  if (::chdir("/") != 0) {
    // Not fatal: the daemon resolves every path it uses to an absolute one before this point.
  }
  int devnull = ::open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(devnull, STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    if (devnull > STDERR_FILENO) ::close(devnull);
  }
  return StartupReporter(fds[1]);
}

}  // namespace engram::daemon
