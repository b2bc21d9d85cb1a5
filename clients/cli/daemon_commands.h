// `engram status`, `engram shutdown`, `engram daemon start`.
#pragma once

#include <string>
#include <vector>

#include "clients/cli/connection.h"

namespace engram::cli {

int RunStatus(const Connection& conn, bool json);
int RunShutdown(const Connection& conn, bool json, const std::string& reason);

struct DaemonStartOptions {
  std::string engramd;             // path to engramd; empty: next to this binary, then $PATH
  std::vector<std::string> args;   // extra engramd arguments
  double wait_s = 20.0;            // how long to wait for the daemon to answer
};
int RunDaemonStart(const Connection& conn, const ConnectionOptions& conn_options, const DaemonStartOptions& options,
                   bool json);

}  // namespace engram::cli
