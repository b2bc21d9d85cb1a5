#include "daemon/state.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "daemon/session/session_manager.h"
#include "daemon/workspace/workspace_manager.h"

namespace engram::daemon {

const char* Version() { return ENGRAM_VERSION; }

DaemonState::DaemonState(std::string data_dir, std::string log_file, const SessionManager* sessions,
                         const engine::Engine* engine)
    : data_dir_(std::move(data_dir)), log_file_(std::move(log_file)), sessions_(sessions), engine_(engine) {}

void ReadMemoryUsage(int64_t* rss_bytes, int64_t* peak_rss_bytes) {
  *rss_bytes = 0;
  *peak_rss_bytes = 0;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    int64_t kib = 0;
    fields >> key >> kib;
    if (key == "VmRSS:") *rss_bytes = kib * 1024;
    if (key == "VmHWM:") *peak_rss_bytes = kib * 1024;
  }
}

StatusSnapshot DaemonState::Snapshot() const {
  StatusSnapshot s;
  s.version = Version();
  s.pid = ::getpid();
  s.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
  s.devices = engine::GetDevices();
  s.endpoints = endpoints_;
  s.active_calls = sessions_->active();
  ReadMemoryUsage(&s.rss_bytes, &s.peak_rss_bytes);
  s.data_dir = data_dir_;
  s.log_file = log_file_;
  s.model = engine_->loaded();
  if (workspaces_ != nullptr) {
    for (const WorkspaceSnapshot& w : workspaces_->Snapshots()) s.workspaces.push_back({w.root, w.id});
  }
  return s;
}

}  // namespace engram::daemon
