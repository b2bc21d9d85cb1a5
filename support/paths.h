// engram's directories, following the XDG base directory specification.
//
//   runtime: $XDG_RUNTIME_DIR/engram          (fallback /tmp/engram-<uid>), mode 0700: socket, lock
//   data:    $XDG_DATA_HOME/engram            (fallback ~/.local/share/engram): token, indexes, logs
//   cache:   $XDG_CACHE_HOME/engram           (fallback ~/.cache/engram): KV disk tier
//   config:  $XDG_CONFIG_HOME/engram          (fallback ~/.config/engram): engramd.toml
//
// Pure functions of the environment; they create nothing. Thread-safe (reads getenv only).
#pragma once

#include <string>

namespace engram {

std::string RuntimeDir();
std::string DataDir();
std::string CacheDir();
std::string ConfigDir();

// The default socket path inside RuntimeDir().
std::string DefaultSocketPath();

}  // namespace engram
