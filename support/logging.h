// Process-wide logging: structured (logfmt) lines to stderr and, optionally, to a log file.
//
//   InitLogging({.level = "info", .file = "/path/engramd.log", .to_stderr = true});
//   auto log = GetLogger("daemon");
//   log->info("listening unix={}", path);
//
// Line format: `ts=2026-11-23T03:24:42.123Z level=info component=daemon pid=123 msg="..."`.
// Before InitLogging, loggers write to stderr at level info. Thread-safe (spdlog mt sinks).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "spdlog/spdlog.h"

namespace engram {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, off
  std::string file;            // empty: no file sink
  bool to_stderr = true;
};

// Replaces the sinks of every logger. Errors: unknown level, unwritable file.
absl::Status InitLogging(const LogOptions& options);

// The logger for one component (created on first use, sharing the process sinks).
std::shared_ptr<spdlog::logger> GetLogger(std::string_view component);

// Flushes every sink (call before exit).
void FlushLogs();

}  // namespace engram
