// The engramd process: directories, instance lock, logging, token, gRPC server, event loop, and the
// graceful shutdown sequence (stop accepting -> cancel in-flight calls -> wait up to the grace period
// -> remove the socket -> exit 0).
#pragma once

#include "daemon/config.h"
#include "daemon/io/daemonize.h"

namespace engram::daemon {

// Exit codes of engramd (docs/config.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitStartupFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitAlreadyRunning = 3;

// Runs until SIGTERM / SIGINT / Daemon.Shutdown. `config` must have been resolved and validated.
int RunDaemon(const Config& config, StartupReporter reporter, bool log_to_stderr);

}  // namespace engram::daemon
