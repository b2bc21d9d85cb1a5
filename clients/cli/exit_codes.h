// Exit codes of the engram CLI (also in `engram --help` and docs/cli.md).
#pragma once

#include <grpcpp/support/status.h>

#include <string>

namespace engram::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;         // the daemon answered with an error
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitNoDaemon = 3;      // engramd is not running / not reachable
inline constexpr int kExitUnauthorized = 4;  // TCP token missing or wrong
inline constexpr int kExitTimeout = 5;       // a deadline passed (e.g. waiting for the daemon to start)

// Maps an RPC failure to an exit code and prints one line naming the target.
int ReportRpcError(const grpc::Status& status, const std::string& target);

}  // namespace engram::cli
