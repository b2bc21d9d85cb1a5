#include "daemon/config.h"

#include <sys/un.h>

#include <filesystem>
#include <set>

#include "engine/kv_cache/latent_cache.h"
#include "support/file_util.h"
#include "support/paths.h"
#include "toml++/toml.h"

namespace engram::daemon {
namespace {

// Reads `table.key` into `out` when present; the wrong type is an error naming the key.
template <typename T>
absl::Status Read(const toml::table& table, std::string_view section, std::string_view key, T* out,
                  std::string_view origin) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return absl::OkStatus();
  auto value = node->value<T>();
  if (!value || (std::is_same_v<T, int64_t> && !node->is_integer()) ||
      (std::is_same_v<T, std::string> && !node->is_string())) {
    return absl::InvalidArgumentError(std::string(origin) + ": key '" + std::string(section) + "." +
                                      std::string(key) + "' has the wrong type (expected " +
                                      (std::is_same_v<T, std::string> ? "a string" : "an integer") + ")");
  }
  *out = *value;
  return absl::OkStatus();
}

absl::Status CheckKeys(const toml::table& table, std::string_view section,
                       const std::set<std::string_view>& known, std::string_view origin) {
  for (const auto& [key, node] : table) {
    if (!known.count(key.str())) {
      return absl::InvalidArgumentError(std::string(origin) + ": unknown key '" +
                                        (section.empty() ? "" : std::string(section) + ".") +
                                        std::string(key.str()) + "'");
    }
    if (!section.empty()) continue;
    if (!node.is_table()) {
      return absl::InvalidArgumentError(std::string(origin) + ": '" + std::string(key.str()) +
                                        "' must be a table ([" + std::string(key.str()) + "])");
    }
  }
  return absl::OkStatus();
}

std::string Absolute(const std::string& p) {
  if (p.empty()) return p;
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

}  // namespace

void Config::ResolveDefaults() {
  if (runtime_dir.empty()) runtime_dir = RuntimeDir();
  if (data_dir.empty()) data_dir = DataDir();
  if (cache_dir.empty()) cache_dir = CacheDir();
  runtime_dir = Absolute(runtime_dir);
  data_dir = Absolute(data_dir);
  cache_dir = Absolute(cache_dir);
  if (socket_path.empty()) socket_path = runtime_dir + "/engramd.sock";
  if (log_file.empty()) log_file = data_dir + "/engramd.log";
  socket_path = Absolute(socket_path);
  model_path = Absolute(model_path);
  log_file = Absolute(log_file);
}

absl::StatusOr<Config> ParseConfig(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {  // Debian's toml++ is built with exceptions: contain them here.
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& err) {
    return absl::InvalidArgumentError(std::string(origin) + ":" + std::to_string(err.source().begin.line) +
                                      ":" + std::to_string(err.source().begin.column) + ": " +
                                      std::string(err.description()));
  }
  Config c;
  if (auto s = CheckKeys(root, "", {"server", "log", "engine", "index", "paths"}, origin); !s.ok()) return s;
  if (const toml::table* t = root["server"].as_table()) {
    if (auto s = CheckKeys(*t, "server", {"socket", "tcp_listen", "max_request_bytes", "shutdown_grace_ms"}, origin);
        !s.ok())
      return s;
    for (auto s : {Read(*t, "server", "socket", &c.socket_path, origin),
                   Read(*t, "server", "tcp_listen", &c.tcp_listen, origin),
                   Read(*t, "server", "max_request_bytes", &c.max_request_bytes, origin),
                   Read(*t, "server", "shutdown_grace_ms", &c.shutdown_grace_ms, origin)})
      if (!s.ok()) return s;
  }
  if (const toml::table* t = root["log"].as_table()) {
    if (auto s = CheckKeys(*t, "log", {"level", "file"}, origin); !s.ok()) return s;
    for (auto s : {Read(*t, "log", "level", &c.log_level, origin), Read(*t, "log", "file", &c.log_file, origin)})
      if (!s.ok()) return s;
  }
  if (const toml::table* t = root["engine"].as_table()) {
    if (auto s = CheckKeys(*t, "engine", {"threads", "context", "model", "kv"}, origin); !s.ok()) return s;
    for (auto s : {Read(*t, "engine", "threads", &c.engine_threads, origin),
                   Read(*t, "engine", "context", &c.engine_context, origin),
                   Read(*t, "engine", "model", &c.model_path, origin),
                   Read(*t, "engine", "kv", &c.kv_type, origin)})
      if (!s.ok()) return s;
  }
  if (const toml::table* t = root["index"].as_table()) {
    if (auto s = CheckKeys(*t, "index", {"threads", "max_file_kib", "history_commits", "debounce_ms"}, origin);
        !s.ok())
      return s;
    for (auto s : {Read(*t, "index", "threads", &c.index_threads, origin),
                   Read(*t, "index", "max_file_kib", &c.index_max_file_kib, origin),
                   Read(*t, "index", "history_commits", &c.index_history_commits, origin),
                   Read(*t, "index", "debounce_ms", &c.index_debounce_ms, origin)})
      if (!s.ok()) return s;
  }
  if (const toml::table* t = root["paths"].as_table()) {
    if (auto s = CheckKeys(*t, "paths", {"runtime_dir", "data_dir", "cache_dir"}, origin); !s.ok()) return s;
    for (auto s : {Read(*t, "paths", "runtime_dir", &c.runtime_dir, origin),
                   Read(*t, "paths", "data_dir", &c.data_dir, origin),
                   Read(*t, "paths", "cache_dir", &c.cache_dir, origin)})
      if (!s.ok()) return s;
  }
  return c;
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  std::string file = path;
  if (file.empty()) {
    file = ConfigDir() + "/engramd.toml";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return Config{};
  }
  auto text = ReadFile(file);
  if (!text.ok()) return absl::Status(text.status().code(), "config: " + std::string(text.status().message()));
  return ParseConfig(*text, file);
}

absl::Status ValidateConfig(const Config& c) {
  if (c.max_request_bytes < 1024) {
    return absl::InvalidArgumentError("config: server.max_request_bytes must be at least 1024 (got " +
                                      std::to_string(c.max_request_bytes) + ")");
  }
  if (c.shutdown_grace_ms < 0 || c.shutdown_grace_ms > 60000) {
    return absl::InvalidArgumentError("config: server.shutdown_grace_ms must be within 0..60000 (got " +
                                      std::to_string(c.shutdown_grace_ms) + ")");
  }
  if (c.engine_threads < 0 || c.engine_threads > 1024) {
    return absl::InvalidArgumentError("config: engine.threads must be within 0..1024 (got " +
                                      std::to_string(c.engine_threads) + ")");
  }
  if (c.engine_context < 16 || c.engine_context > (int64_t{1} << 24)) {
    return absl::InvalidArgumentError("config: engine.context must be within 16..16777216 (got " +
                                      std::to_string(c.engine_context) + ")");
  }
  struct Range {
    const char* key;
    int64_t value, lo, hi;
  };
  for (const Range& r : {Range{"index.threads", c.index_threads, 0, 256},
                         Range{"index.max_file_kib", c.index_max_file_kib, 1, 1 << 20},
                         Range{"index.history_commits", c.index_history_commits, 0, 1000000},
                         Range{"index.debounce_ms", c.index_debounce_ms, 10, 60000}}) {
    if (r.value < r.lo || r.value > r.hi) {
      return absl::InvalidArgumentError("config: " + std::string(r.key) + " must be within " + std::to_string(r.lo) +
                                        ".." + std::to_string(r.hi) + " (got " + std::to_string(r.value) + ")");
    }
  }
  if (!engine::KvTypeFromName(c.kv_type)) {
    return absl::InvalidArgumentError("config: engine.kv '" + c.kv_type + "' must be f32, f16, bf16 or fp8");
  }
  if (c.socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return absl::InvalidArgumentError("config: socket path '" + c.socket_path + "' is " +
                                      std::to_string(c.socket_path.size()) + " bytes; unix sockets allow at most " +
                                      std::to_string(sizeof(sockaddr_un{}.sun_path) - 1));
  }
  if (!c.tcp_listen.empty()) {
    const std::string& a = c.tcp_listen;
    size_t colon = a.rfind(':');
    std::string host = colon == std::string::npos ? "" : a.substr(0, colon);
    std::string port = colon == std::string::npos ? "" : a.substr(colon + 1);
    bool loopback = host == "127.0.0.1" || host == "[::1]" || host == "localhost";
    if (!loopback) {
      return absl::InvalidArgumentError("config: server.tcp_listen '" + a +
                                        "' must be a loopback address (127.0.0.1:PORT, [::1]:PORT or localhost:PORT)");
    }
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoi(port) > 65535) {
      return absl::InvalidArgumentError("config: server.tcp_listen '" + a + "' has no valid port");
    }
  }
  return absl::OkStatus();
}

}  // namespace engram::daemon
