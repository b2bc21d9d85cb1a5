// The open workspaces of the daemon: one index (repo_index::Indexer) per workspace root, kept current
// by a TreeWatcher, and queried through a read-only connection.
//
//   WorkspaceManager manager(loop.context(), settings);
//   ASSIGN_OR_RETURN(auto ws, manager.Open("/src/proj", {.watch = true}));
//   ws->Sync(on_progress, cancel);          // blocks the calling thread (a worker, never gRPC's)
//   ws->Search(query);                      // any thread
//   ws->Retrieve(retrieval_query, budget);  // any thread: the project memory
//
// Each workspace has one indexing thread that runs full syncs and the watcher's debounced change
// batches in order (a pending full sync absorbs queued path changes). Searches use their own SQLite
// connection (WAL: they never wait for the writer). After each index update the indexing thread brings
// the n-gram memory (<database dir>/ngram/) in step; it is derived data: a damaged one is rebuilt.
// Thread-safe unless noted.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/io/asio.h"
#include "daemon/workspace/tree_watcher.h"
#include "repo_index/index/indexer.h"
#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/memory/ngram_memory.h"
#include "repo_index/query/workspace_memory.h"
#include "repo_index/store/index_store.h"
#include "support/cancellation.h"

namespace engram::daemon {

struct WorkspaceSettings {
  std::string data_dir;  // databases go to <data_dir>/workspaces/<id>/index.db
  repo_index::IndexerOptions indexer;
  std::chrono::milliseconds debounce{150};
};

struct WorkspaceOpenOptions {
  bool watch = true;
  uint32_t history_commits = 0;  // 0: the settings' default
};

enum class SearchKind { kSymbol, kText, kDefinition, kReferences, kOutline };

struct SearchQuery {
  SearchKind kind = SearchKind::kSymbol;
  std::string query;
  repo_index::NameMatch match = repo_index::NameMatch::kExact;
  int limit = 50;
};

struct SearchResults {
  std::vector<repo_index::SymbolHit> symbols;
  std::vector<repo_index::ReferenceHit> references;
  std::vector<repo_index::TextHit> texts;
  double elapsed_ms = 0;
};

struct WorkspaceSnapshot {
  std::string id;
  std::string root;
  std::string database;
  std::string state;  // "indexing", "ready", "error"
  bool watching = false;
  std::optional<repo_index::IndexSummary> last_full;
  int64_t updates = 0;
  double last_update_ms = 0;
  std::string last_error;
  int64_t pending_paths = 0;
};

class Workspace {
 public:
  // `ngram` may be null (no n-gram memory: its signal is off).
  Workspace(std::string id, std::string root, std::string database, std::unique_ptr<repo_index::Indexer> indexer,
            std::shared_ptr<repo_index::NgramMemory> ngram);
  ~Workspace();

  const std::string& id() const { return id_; }
  const std::string& root() const { return root_; }

  // Runs a full sync on the workspace's indexing thread and waits for it. `progress` runs on that
  // thread.
  absl::StatusOr<repo_index::IndexSummary> Sync(const repo_index::Indexer::ProgressFn& progress,
                                                const CancellationToken& cancel);
  // Queues a watcher batch (returns at once).
  void Enqueue(TreeChanges changes);
  // Blocks until every queued change is applied (tests, and Search with `wait_idle`).
  void WaitIdle();

  absl::StatusOr<SearchResults> Search(const SearchQuery& query);
  absl::StatusOr<repo_index::RetrievalResult> Retrieve(const repo_index::RetrievalQuery& query, size_t budget);
  // What counts tokens in Retrieve results.
  std::string TokenizerId() const { return tokenizer_->Id(); }
  WorkspaceSnapshot Snapshot() const;

  // Called by the manager on the io thread.
  void SetWatcher(std::unique_ptr<TreeWatcher> watcher);
  void StopWatcher();

 private:
  struct Task {
    bool full_sync = false;
    std::set<std::string> paths;
    std::function<void(absl::StatusOr<repo_index::IndexSummary>)> done;  // full syncs only
    repo_index::Indexer::ProgressFn progress;
    CancellationToken cancel;
  };
  void Loop();
  void RunTask(Task& task);
  void SyncMemory(const CancellationToken& cancel);  // indexing thread

  const std::string id_;
  const std::string root_;
  const std::string database_;
  std::unique_ptr<repo_index::Indexer> indexer_;  // used on thread_ only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;          // guarded by mu_
  bool busy_ = false;               // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  std::string state_ = "indexing";  // guarded by mu_
  std::optional<repo_index::IndexSummary> last_full_;  // guarded by mu_
  int64_t updates_ = 0;             // guarded by mu_
  double last_update_ms_ = 0;       // guarded by mu_
  std::string last_error_;          // guarded by mu_
  std::unique_ptr<TreeWatcher> watcher_;  // io thread only
  bool watching_ = false;           // guarded by mu_

  std::mutex reader_mu_;
  std::unique_ptr<repo_index::IndexStore> reader_;  // guarded by reader_mu_
  std::shared_ptr<repo_index::NgramMemory> ngram_;  // updated on thread_, read by Retrieve
  std::shared_ptr<const repo_index::MemoryTokenizer> tokenizer_ = std::make_shared<repo_index::LexicalTokenizer>();
  std::mutex memory_mu_;
  std::unique_ptr<repo_index::WorkspaceMemory> memory_;  // guarded by memory_mu_
  CancellationSource background_;   // cancels watcher-driven work when the workspace closes
  std::thread thread_;
};

class WorkspaceManager {
 public:
  WorkspaceManager(boost::asio::io_context& io, WorkspaceSettings settings);
  ~WorkspaceManager();

  // The workspace for `path` (an absolute directory), created on first use. It is not synced yet:
  // call Sync() on it. Starting the watcher is posted to the io thread.
  absl::StatusOr<std::shared_ptr<Workspace>> Open(const std::string& path, const WorkspaceOpenOptions& options);
  // By root path, id, or (empty) the only open workspace.
  absl::StatusOr<std::shared_ptr<Workspace>> Find(const std::string& path_or_id) const;
  std::vector<WorkspaceSnapshot> Snapshots() const;
  // Stops the watchers and the indexing threads (daemon shutdown; the io_context may be stopped).
  void StopAll();

 private:
  boost::asio::io_context& io_;
  WorkspaceSettings settings_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Workspace>> by_root_;  // guarded by mu_
};

}  // namespace engram::daemon
