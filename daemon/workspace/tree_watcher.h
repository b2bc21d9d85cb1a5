// Watches a workspace directory tree with inotify (through Boost.Asio) and reports changes, debounced.
//
//   TreeWatcher watcher(io, "/src/proj", {.debounce = 150ms}, [](TreeChanges changes) { ... });
//   RETURN_IF_ERROR(watcher.Start());
//
// Every directory under the root gets a watch, except `.git` internals and directories named like
// build output (node_modules, __pycache__, .venv, target, build, dist and other dot-directories); in
// `.git`, HEAD, packed-refs and refs/ are watched so that commits and branch switches are seen.
// Changes are collected until no event arrived for `debounce` (or `max_delay` passed since the first),
// then reported once: file paths (workspace-relative) that were written, created, deleted or moved,
// and `resync` when something only a full sync handles happened (a directory created, deleted or
// moved; HEAD or a ref moved; the kernel's event queue overflowed). New directories are watched as
// they appear.
//
// Thread-safety: everything runs on the io_context's thread; the callback too. Stop() (or the
// destructor) must be called on that thread or after the io_context stopped.
#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "daemon/io/asio.h"

namespace engram::daemon {

struct TreeChanges {
  std::set<std::string> paths;  // workspace-relative files
  bool resync = false;
  bool head_moved = false;      // HEAD or a ref changed (implies resync)
};

struct TreeWatcherOptions {
  std::chrono::milliseconds debounce{150};
  std::chrono::milliseconds max_delay{2000};
};

class TreeWatcher {
 public:
  using Callback = std::function<void(TreeChanges)>;
  TreeWatcher(boost::asio::io_context& io, std::string root, TreeWatcherOptions options, Callback callback);
  ~TreeWatcher();
  TreeWatcher(const TreeWatcher&) = delete;
  TreeWatcher& operator=(const TreeWatcher&) = delete;

  absl::Status Start();
  void Stop();
  size_t watch_count() const { return dirs_.size(); }

 private:
  void AddTree(const std::string& relative_dir);
  void AddWatch(const std::string& relative_dir, bool git_internal);
  void Read();
  void Handle(const char* buffer, size_t length);
  void Arm();
  void Fire();

  boost::asio::io_context& io_;
  std::string root_;
  TreeWatcherOptions options_;
  Callback callback_;
  int fd_ = -1;
  boost::asio::posix::stream_descriptor stream_;
  boost::asio::steady_timer timer_;
  std::unordered_map<int, std::pair<std::string, bool>> dirs_;  // wd -> (relative dir, inside .git)
  alignas(8) char buffer_[64 * 1024];
  TreeChanges pending_;
  bool has_pending_ = false;
  std::chrono::steady_clock::time_point first_pending_;
  bool stopped_ = false;
};

// True for directory names the watcher and the non-git scan skip.
bool IsSkippedDirectoryName(std::string_view name);

}  // namespace engram::daemon
