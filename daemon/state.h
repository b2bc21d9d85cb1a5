// What Daemon.Status reports, as native types: filled by the daemon core, converted to proto in
// marshal/. Snapshot() is thread-safe (the fields set at start-up are immutable afterwards).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/devices.h"
#include "engine/engine.h"

namespace engram::daemon {

class SessionManager;
class WorkspaceManager;

struct WorkspaceBrief {
  std::string path;
  std::string id;
};

struct EndpointInfo {
  std::string address;  // "unix:/path" or "127.0.0.1:PORT"
  bool requires_token = false;
};

struct StatusSnapshot {
  std::string version;
  int64_t pid = 0;
  int64_t uptime_ms = 0;
  engine::Devices devices;
  std::vector<EndpointInfo> endpoints;
  int active_calls = 0;
  int64_t rss_bytes = 0;
  int64_t peak_rss_bytes = 0;
  std::string data_dir;
  std::string log_file;
  std::optional<engine::LoadedModel> model;
  std::vector<WorkspaceBrief> workspaces;
};

class DaemonState {
 public:
  DaemonState(std::string data_dir, std::string log_file, const SessionManager* sessions,
              const engine::Engine* engine);

  // Set once before the server starts serving.
  void SetWorkspaces(const WorkspaceManager* workspaces) { workspaces_ = workspaces; }
  void AddEndpoint(EndpointInfo endpoint) { endpoints_.push_back(std::move(endpoint)); }
  const std::vector<EndpointInfo>& endpoints() const { return endpoints_; }

  StatusSnapshot Snapshot() const;

 private:
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::string data_dir_;
  std::string log_file_;
  const SessionManager* sessions_;
  const engine::Engine* engine_;
  std::vector<EndpointInfo> endpoints_;  // set before the server starts serving
  const WorkspaceManager* workspaces_ = nullptr;
};

// The engram version string ("0.1.0").
const char* Version();

// Resident and peak resident set size of this process, from /proc/self/status (0 when unknown).
void ReadMemoryUsage(int64_t* rss_bytes, int64_t* peak_rss_bytes);

}  // namespace engram::daemon
