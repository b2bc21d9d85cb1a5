#include "daemon/workspace/workspace_manager.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <future>

#include "support/file_util.h"
#include "support/logging.h"
#include "support/status.h"

namespace engram::daemon {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Workspace::Workspace(std::string id, std::string root, std::string database,
                     std::unique_ptr<repo_index::Indexer> indexer, std::shared_ptr<repo_index::NgramMemory> ngram)
    : id_(std::move(id)),
      root_(std::move(root)),
      database_(std::move(database)),
      indexer_(std::move(indexer)),
      ngram_(std::move(ngram)) {
  thread_ = std::thread([this] { Loop(); });
}

Workspace::~Workspace() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    background_.Cancel();
    for (Task& task : tasks_) {
      if (task.done) task.done(absl::CancelledError("workspace: closing"));
    }
    tasks_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<repo_index::IndexSummary> Workspace::Sync(const repo_index::Indexer::ProgressFn& progress,
                                                         const CancellationToken& cancel) {
  std::promise<absl::StatusOr<repo_index::IndexSummary>> promise;
  auto future = promise.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::CancelledError("workspace: closing");
    Task task;
    task.full_sync = true;
    task.progress = progress;
    task.cancel = cancel;
    task.done = [&promise](absl::StatusOr<repo_index::IndexSummary> result) { promise.set_value(std::move(result)); };
    tasks_.push_back(std::move(task));
  }
  cv_.notify_all();
  return future.get();
}

void Workspace::Enqueue(TreeChanges changes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    // A queued (not yet running) full sync covers these changes too.
    for (Task& task : tasks_) {
      if (task.full_sync) return;
    }
    if (changes.resync) {
      Task task;
      task.full_sync = true;
      task.cancel = background_.token();
      tasks_.push_back(std::move(task));
    } else if (!tasks_.empty()) {
      tasks_.back().paths.insert(changes.paths.begin(), changes.paths.end());
    } else {
      Task task;
      task.paths = std::move(changes.paths);
      task.cancel = background_.token();
      tasks_.push_back(std::move(task));
    }
  }
  cv_.notify_all();
}

void Workspace::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return (tasks_.empty() && !busy_) || stopping_; });
}

void Workspace::Loop() {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      busy_ = true;
    }
    RunTask(task);
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

void Workspace::RunTask(Task& task) {
  auto log = GetLogger("workspace");
  const Clock::time_point start = Clock::now();
  if (task.full_sync) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      state_ = "indexing";
    }
    absl::StatusOr<repo_index::IndexSummary> result = indexer_->Sync(task.progress, task.cancel);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (result.ok()) {
        state_ = "ready";
        last_full_ = *result;
        last_error_.clear();
      } else {
        state_ = absl::IsCancelled(result.status()) && last_full_.has_value() ? "ready" : "error";
        last_error_ = std::string(result.status().message());
      }
    }
    if (!result.ok()) log->warn("sync failed root={} error=\"{}\"", root_, std::string(result.status().message()));
    if (result.ok()) SyncMemory(task.cancel);
    if (task.done) task.done(std::move(result));
    return;
  }
  std::vector<std::string> paths(task.paths.begin(), task.paths.end());
  absl::StatusOr<repo_index::IndexSummary> result = indexer_->UpdatePaths(paths, task.cancel);
  if (result.ok()) SyncMemory(task.cancel);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::lock_guard<std::mutex> lock(mu_);
  ++updates_;
  last_update_ms_ = ms;
  if (!result.ok()) {
    last_error_ = std::string(result.status().message());
    log->warn("update failed root={} paths={} error=\"{}\"", root_, paths.size(), last_error_);
  } else {
    log->debug("update root={} paths={} parsed={} deleted={} ms={:.1f}", root_, paths.size(),
               result->files_parsed, result->files_deleted, ms);
  }
}

absl::StatusOr<SearchResults> Workspace::Search(const SearchQuery& query) {
  const Clock::time_point start = Clock::now();
  std::lock_guard<std::mutex> lock(reader_mu_);
  if (reader_ == nullptr) {
    ASSIGN_OR_RETURN(reader_, repo_index::IndexStore::OpenReadOnly(database_));
  }
  SearchResults results;
  int limit = query.limit <= 0 ? 50 : std::min(query.limit, 1000);
  switch (query.kind) {
    case SearchKind::kSymbol: {
      ASSIGN_OR_RETURN(results.symbols, reader_->FindSymbols(query.query, query.match, limit));
      break;
    }
    case SearchKind::kDefinition: {
      ASSIGN_OR_RETURN(results.symbols, reader_->FindSymbols(query.query, repo_index::NameMatch::kExact, limit));
      break;
    }
    case SearchKind::kText: {
      ASSIGN_OR_RETURN(results.texts, reader_->SearchText(query.query, limit));
      break;
    }
    case SearchKind::kReferences: {
      ASSIGN_OR_RETURN(results.references, reader_->FindReferences(query.query, limit));
      break;
    }
    case SearchKind::kOutline: {
      ASSIGN_OR_RETURN(results.symbols, reader_->Outline(query.query));
      break;
    }
  }
  results.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return results;
}

void Workspace::SyncMemory(const CancellationToken& cancel) {
  if (ngram_ == nullptr) return;
  absl::StatusOr<repo_index::NgramSyncSummary> summary =
      repo_index::SyncNgramMemory(indexer_->store(), root_, *ngram_, cancel);
  auto log = GetLogger("workspace");
  if (!summary.ok()) {
    log->warn("n-gram memory update failed root={} error=\"{}\"", root_, std::string(summary.status().message()));
    return;
  }
  log->debug("n-gram memory root={} added={} removed={} ms={:.1f}", root_, summary->files_added,
             summary->files_removed, summary->elapsed_ms);
}

absl::StatusOr<repo_index::RetrievalResult> Workspace::Retrieve(const repo_index::RetrievalQuery& query,
                                                                size_t budget) {
  std::lock_guard<std::mutex> lock(memory_mu_);
  if (memory_ == nullptr) {
    ASSIGN_OR_RETURN(memory_, repo_index::WorkspaceMemory::Open(database_, ngram_, tokenizer_));
  }
  return memory_->Retrieve(query, budget);
}

WorkspaceSnapshot Workspace::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  WorkspaceSnapshot s;
  s.id = id_;
  s.root = root_;
  s.database = database_;
  s.state = state_;
  s.watching = watching_;
  s.last_full = last_full_;
  s.updates = updates_;
  s.last_update_ms = last_update_ms_;
  s.last_error = last_error_;
  for (const Task& task : tasks_) s.pending_paths += static_cast<int64_t>(task.paths.size());
  return s;
}

void Workspace::SetWatcher(std::unique_ptr<TreeWatcher> watcher) {
  watcher_ = std::move(watcher);
  std::lock_guard<std::mutex> lock(mu_);
  watching_ = watcher_ != nullptr;
}

void Workspace::StopWatcher() {
  if (watcher_) watcher_->Stop();
  std::lock_guard<std::mutex> lock(mu_);
  watching_ = false;
}

WorkspaceManager::WorkspaceManager(boost::asio::io_context& io, WorkspaceSettings settings)
    : io_(io), settings_(std::move(settings)) {}

WorkspaceManager::~WorkspaceManager() { StopAll(); }

absl::StatusOr<std::shared_ptr<Workspace>> WorkspaceManager::Open(const std::string& path,
                                                                  const WorkspaceOpenOptions& options) {
  if (path.empty() || path[0] != '/' || path.size() > 4096) {
    return absl::InvalidArgumentError("workspace: path must be an absolute directory path");
  }
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return absl::NotFoundError("workspace: '" + path + "' does not exist");
  std::string root(real);
  std::free(real);
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError("workspace: '" + path + "' is not a directory");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = by_root_.find(root); it != by_root_.end()) return it->second;

  std::string database = repo_index::WorkspaceDatabasePath(settings_.data_dir, root);
  RETURN_IF_ERROR(MakeDirs(database.substr(0, database.rfind('/')), 0700, true));
  repo_index::IndexerOptions indexer_options = settings_.indexer;
  if (options.history_commits > 0) indexer_options.history_commits = options.history_commits;
  ASSIGN_OR_RETURN(std::unique_ptr<repo_index::Indexer> indexer,
                   repo_index::Indexer::Open(root, database, indexer_options));
  // The n-gram memory is derived from the index: one that cannot be opened is dropped and rebuilt.
  const std::string ngram_dir = database.substr(0, database.rfind('/')) + "/ngram";
  auto tokenizer = std::make_shared<repo_index::LexicalTokenizer>();
  absl::StatusOr<std::unique_ptr<repo_index::NgramMemory>> ngram = repo_index::NgramMemory::Open(ngram_dir, tokenizer);
  if (!ngram.ok()) {
    GetLogger("workspace")->warn("n-gram memory dropped, rebuilding root={} error=\"{}\"", root,
                                 std::string(ngram.status().message()));
    RETURN_IF_ERROR(repo_index::NgramMemory::Destroy(ngram_dir));
    ngram = repo_index::NgramMemory::Open(ngram_dir, tokenizer);
  }
  std::shared_ptr<repo_index::NgramMemory> ngram_shared;
  if (ngram.ok()) {
    ngram_shared = std::move(*ngram);
  } else {
    GetLogger("workspace")->warn("n-gram memory off root={} error=\"{}\"", root, std::string(ngram.status().message()));
  }
  auto workspace = std::make_shared<Workspace>(repo_index::WorkspaceId(root), root, database, std::move(indexer),
                                               std::move(ngram_shared));
  by_root_[root] = workspace;
  if (options.watch) {
    std::weak_ptr<Workspace> weak = workspace;
    auto debounce = settings_.debounce;
    boost::asio::post(io_, [this, weak, root, debounce] {
      std::shared_ptr<Workspace> ws = weak.lock();
      if (!ws) return;
      auto watcher = std::make_unique<TreeWatcher>(
          io_, root, TreeWatcherOptions{.debounce = debounce},
          [weak](TreeChanges changes) {
            if (std::shared_ptr<Workspace> target = weak.lock()) target->Enqueue(std::move(changes));
          });
      if (absl::Status s = watcher->Start(); !s.ok()) {
        GetLogger("workspace")->warn("watch failed root={} error=\"{}\"", root, std::string(s.message()));
        return;
      }
      ws->SetWatcher(std::move(watcher));
    });
  }
  GetLogger("workspace")->info("opened root={} id={} database={}", root, workspace->id(), database);
  return workspace;
}

absl::StatusOr<std::shared_ptr<Workspace>> WorkspaceManager::Find(const std::string& path_or_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_or_id.empty()) {
    if (by_root_.size() == 1) return by_root_.begin()->second;
    if (by_root_.empty()) return absl::FailedPreconditionError("workspace: none is open (open one first)");
    return absl::InvalidArgumentError("workspace: several are open; name one by path or id");
  }
  std::string wanted = path_or_id;
  if (!wanted.empty() && wanted[0] == '/') {
    if (char* real = ::realpath(wanted.c_str(), nullptr)) {
      wanted = real;
      std::free(real);
    }
  }
  for (const auto& [root, ws] : by_root_) {
    if (root == wanted || ws->id() == path_or_id) return ws;
  }
  return absl::NotFoundError("workspace: '" + path_or_id + "' is not open");
}

std::vector<WorkspaceSnapshot> WorkspaceManager::Snapshots() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<WorkspaceSnapshot> out;
  for (const auto& [root, ws] : by_root_) out.push_back(ws->Snapshot());
  return out;
}

void WorkspaceManager::StopAll() {
  std::map<std::string, std::shared_ptr<Workspace>> workspaces;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workspaces.swap(by_root_);
  }
  for (auto& [root, ws] : workspaces) ws->StopWatcher();
  workspaces.clear();
}

}  // namespace engram::daemon
