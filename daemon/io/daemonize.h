// Detaching engramd from the terminal (double fork + setsid) with a readiness pipe: the original
// process waits until the daemon reports "ready" or an error, prints it, and exits with the daemon's
// start-up code. So `engramd` (without --foreground) returns only once the socket answers, and
// start-up errors (lock held, bad config, socket in use) still reach the terminal.
// Call before any threads exist (before gRPC or logging threads start).
#pragma once

#include <string_view>

namespace engram::daemon {

class StartupReporter {
 public:
  StartupReporter() = default;  // foreground: reports go to stdout/stderr directly
  explicit StartupReporter(int fd) : fd_(fd) {}

  // Sends "ready" with a message (printed by the waiting parent on stdout).
  void Ready(std::string_view message);
  // Sends an error with the exit code the parent should return.
  void Fail(int exit_code, std::string_view message);

 private:
  int fd_ = -1;
};

// In the daemon process: returns the reporter. In the original process: never returns (exits).
StartupReporter Daemonize();

}  // namespace engram::daemon
