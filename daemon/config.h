// engramd's configuration: built-in defaults, then the TOML file, then command-line flags.
// Every key, its default and its meaning: docs/config.md. Unknown keys and bad values are errors
// that name the key, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace engram::daemon {

struct Config {
  // [server]
  std::string socket_path;              // empty: <runtime dir>/engramd.sock
  std::string tcp_listen;               // empty: off. "127.0.0.1:PORT", "[::1]:PORT", "localhost:PORT"
  int64_t max_request_bytes = 8 << 20;  // larger requests get RESOURCE_EXHAUSTED
  int64_t shutdown_grace_ms = 3000;     // in-flight calls get this long before they are cancelled
  // [log]
  std::string log_level = "info";
  std::string log_file;                 // empty: <data dir>/engramd.log
  // [engine]
  int64_t engine_threads = 0;           // compute threads (0: all cores)
  int64_t engine_context = 8192;        // KV capacity per sequence, in tokens
  std::string model_path;               // loaded at start-up when set
  std::string kv_type = "f32";          // KV cache storage: f32, f16, bf16, fp8
  // [index]
  int64_t index_threads = 0;            // parse workers (0: all cores)
  int64_t index_max_file_kib = 1024;    // larger files are skipped and counted
  int64_t index_history_commits = 2000; // commits read for churn and co-change (0: none)
  int64_t index_debounce_ms = 150;      // file events are batched until quiet this long
  // [paths]
  std::string runtime_dir;              // empty: $XDG_RUNTIME_DIR/engram (fallback /tmp/engram-<uid>)
  std::string data_dir;                 // empty: $XDG_DATA_HOME/engram
  std::string cache_dir;                // empty: $XDG_CACHE_HOME/engram

  // Fills empty paths from the XDG defaults and makes every path absolute.
  void ResolveDefaults();
  std::string LockPath() const { return runtime_dir + "/engramd.lock"; }
  std::string TokenPath() const { return data_dir + "/tcp.token"; }
};

// Parses TOML text (`origin` names it in errors). Missing keys keep their defaults.
absl::StatusOr<Config> ParseConfig(std::string_view toml_text, std::string_view origin);

// Reads `path`; when `path` is empty, reads <config dir>/engramd.toml if it exists, else defaults.
absl::StatusOr<Config> LoadConfig(const std::string& path);

// Checks cross-field rules: loopback-only TCP, socket path length, positive limits.
absl::Status ValidateConfig(const Config& config);

}  // namespace engram::daemon
