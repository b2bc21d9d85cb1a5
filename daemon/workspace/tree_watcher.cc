#include "daemon/workspace/tree_watcher.h"

#include <dirent.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "support/logging.h"

namespace engram::daemon {
namespace {

constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                              IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

std::string Join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

}  // namespace

bool IsSkippedDirectoryName(std::string_view name) {
  constexpr std::array<std::string_view, 7> kSkipped = {"node_modules", "__pycache__", ".venv", "target",
                                                        "build",        "dist",        ".git"};
  if (!name.empty() && name.front() == '.') return true;
  for (std::string_view skipped : kSkipped) {
    if (name == skipped) return true;
  }
  return false;
}

TreeWatcher::TreeWatcher(boost::asio::io_context& io, std::string root, TreeWatcherOptions options,
                         Callback callback)
    : io_(io), root_(std::move(root)), options_(options), callback_(std::move(callback)), stream_(io), timer_(io) {}

TreeWatcher::~TreeWatcher() { Stop(); }

absl::Status TreeWatcher::Start() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return absl::InternalError(std::string("watch: inotify_init1: ") + std::strerror(errno));
  stream_.assign(fd_);
  AddTree("");
  struct stat st;
  if (::stat((root_ + "/.git").c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    AddWatch(".git", true);
    // refs/ and its subfolders (heads, remotes, tags): branch moves and switches.
    std::vector<std::string> stack = {".git/refs"};
    while (!stack.empty()) {
      std::string dir = std::move(stack.back());
      stack.pop_back();
      AddWatch(dir, true);
      if (DIR* d = ::opendir((root_ + "/" + dir).c_str())) {
        while (dirent* e = ::readdir(d)) {
          std::string_view name(e->d_name);
          if (name == "." || name == "..") continue;
          if (e->d_type == DT_DIR) stack.push_back(dir + "/" + std::string(name));
        }
        ::closedir(d);
      }
    }
  }
  GetLogger("watch")->info("watching root={} directories={}", root_, dirs_.size());
  Read();
  return absl::OkStatus();
}

void TreeWatcher::Stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  if (stream_.is_open()) stream_.close(ignored);  // closes fd_
  fd_ = -1;
}

void TreeWatcher::AddWatch(const std::string& relative_dir, bool git_internal) {
  std::string path = relative_dir.empty() ? root_ : root_ + "/" + relative_dir;
  int wd = ::inotify_add_watch(fd_, path.c_str(), kDirMask);
  if (wd < 0) {
    GetLogger("watch")->warn("cannot watch dir={} error=\"{}\"", path, std::strerror(errno));
    return;
  }
  dirs_[wd] = {relative_dir, git_internal};
}

void TreeWatcher::AddTree(const std::string& relative_dir) {
  std::vector<std::string> stack = {relative_dir};
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    AddWatch(dir, false);
    DIR* d = ::opendir((dir.empty() ? root_ : root_ + "/" + dir).c_str());
    if (d == nullptr) continue;
    while (dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name == "." || name == ".." || IsSkippedDirectoryName(name)) continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st;
        is_dir = ::lstat((root_ + "/" + Join(dir, name)).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      }
      if (is_dir) stack.push_back(Join(dir, name));
    }
    ::closedir(d);
  }
}

void TreeWatcher::Read() {
  if (stopped_) return;
  stream_.async_read_some(boost::asio::buffer(buffer_), [this](const boost::system::error_code& ec, size_t n) {
    if (ec || stopped_) return;  // operation_aborted on Stop()
    Handle(buffer_, n);
    Read();
  });
}

void TreeWatcher::Handle(const char* buffer, size_t length) {
  bool any = false;
  for (size_t offset = 0; offset + sizeof(inotify_event) <= length;) {
    const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
    offset += sizeof(inotify_event) + event->len;
    if (event->mask & IN_Q_OVERFLOW) {
      pending_.resync = true;
      any = true;
      continue;
    }
    auto it = dirs_.find(event->wd);
    if (it == dirs_.end()) continue;
    if (event->mask & IN_IGNORED) {
      dirs_.erase(it);
      continue;
    }
    const auto [dir, git_internal] = it->second;
    std::string_view name = event->len > 0 ? std::string_view(event->name) : std::string_view();
    if (git_internal) {
      // HEAD, packed-refs, refs/...: a commit, a branch switch, a fetch. Lock files come and go.
      if (name.size() >= 5 && name.substr(name.size() - 5) == ".lock") continue;
      if (dir == ".git" && name != "HEAD" && name != "packed-refs") continue;
      if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO))) AddWatch(Join(dir, name), true);
      pending_.head_moved = true;
      pending_.resync = true;
      any = true;
      continue;
    }
    if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
      if (!dir.empty()) {
        pending_.resync = true;
        any = true;
      }
      continue;
    }
    if (name.empty()) continue;
    if (event->mask & IN_ISDIR) {
      if (IsSkippedDirectoryName(name)) continue;
      if (event->mask & (IN_CREATE | IN_MOVED_TO)) AddTree(Join(dir, name));
      pending_.resync = true;
      any = true;
      continue;
    }
    if (event->mask & (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) {
      pending_.paths.insert(Join(dir, name));
      any = true;
    }
  }
  if (!any) return;
  if (!has_pending_) {
    has_pending_ = true;
    first_pending_ = std::chrono::steady_clock::now();
  }
  Arm();
}

void TreeWatcher::Arm() {
  auto deadline = std::chrono::steady_clock::now() + options_.debounce;
  auto latest = first_pending_ + options_.max_delay;
  if (deadline > latest) deadline = latest;
  timer_.expires_at(deadline);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    Fire();
  });
}

void TreeWatcher::Fire() {
  if (!has_pending_) return;
  TreeChanges changes = std::move(pending_);
  pending_ = TreeChanges{};
  has_pending_ = false;
  callback_(std::move(changes));
}

}  // namespace engram::daemon
