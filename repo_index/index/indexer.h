// Keeps a workspace's index in step with its files: scan → parse (worker threads) → store (one writer).
//
//   ASSIGN_OR_RETURN(auto indexer, Indexer::Open("/src/proj", WorkspaceDatabasePath(DataDir(), root), {}));
//   ASSIGN_OR_RETURN(IndexSummary s, indexer->Sync(on_progress, cancel));   // full reconciliation
//   ASSIGN_OR_RETURN(s, indexer->UpdatePaths({"src/a.c"}, cancel));          // after a file event
//
// Sync scans the workspace (stat cache from the stored files, so unchanged files are not even read),
// re-parses exactly the files whose blob id (or tracked state) changed, deletes the files that are gone,
// re-resolves imports when the set of paths changed, and re-reads the git history when HEAD moved. The
// database after any sequence of Sync / UpdatePaths equals the one a fresh Sync builds (tested through
// IndexStore::CanonicalDump). Writes are batched (IndexerOptions::batch_files per transaction); a crash
// or cancel leaves the last committed batch, and the next Sync completes the work.
//
// Thread-safety: an Indexer is driven by one thread at a time (the daemon gives each workspace one
// indexing thread). Progress callbacks run on that thread. Parsing uses IndexerOptions::threads workers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/parse/import_resolver.h"
#include "repo_index/parse/parser.h"
#include "repo_index/scan/scanner.h"
#include "repo_index/store/index_store.h"
#include "support/cancellation.h"

namespace engram::repo_index {

struct IndexerOptions {
  uint64_t max_file_bytes = 1u << 20;
  int threads = 0;                 // parse workers; 0: hardware concurrency
  uint32_t batch_files = 256;      // files per write transaction
  uint32_t history_commits = 2000; // 0: no history
  uint32_t history_max_files_per_commit = 50;
  ParseOptions parse;
};

struct IndexProgress {
  enum class Phase { kScan, kParse, kHistory, kDone };
  Phase phase = Phase::kScan;
  uint64_t files_done = 0;   // files parsed and stored in this phase
  uint64_t files_total = 0;  // files to parse in this run
  uint64_t bytes_done = 0;
  double files_per_second = 0;
  double eta_seconds = 0;    // 0 when unknown
};
std::string_view PhaseName(IndexProgress::Phase phase);  // "scan", "parse", "history", "done"

struct IndexSummary {
  std::string root;
  std::string database;
  std::string head_commit;
  uint64_t files = 0;            // in the index after this run
  uint64_t files_parsed = 0;     // (re-)parsed in this run
  uint64_t files_unchanged = 0;
  uint64_t files_deleted = 0;
  uint64_t files_hashed = 0;     // read and hashed by the scan (stat cache misses)
  uint64_t parse_errors = 0;     // files with syntax errors (indexed best-effort)
  uint64_t imports_reresolved = 0;
  bool history_updated = false;
  uint32_t history_commits = 0;
  SkipCounts skipped;
  IndexStats stats;              // of the whole index after this run
  double elapsed_ms = 0;
  double scan_ms = 0;
  double parse_ms = 0;
  double history_ms = 0;
};

class Indexer {
 public:
  static absl::StatusOr<std::unique_ptr<Indexer>> Open(const std::string& root, const std::string& db_path,
                                                       const IndexerOptions& options);
  ~Indexer();

  using ProgressFn = std::function<void(const IndexProgress&)>;
  absl::StatusOr<IndexSummary> Sync(const ProgressFn& progress, const CancellationToken& cancel);

  // Re-examines these workspace-relative paths (files that were created, written, deleted or renamed).
  // A path that names a directory now falls back to a Sync; a directory that was removed or renamed
  // away must be reported by the caller as a Sync (UpdatePaths only knows about files).
  absl::StatusOr<IndexSummary> UpdatePaths(const std::vector<std::string>& paths,
                                           const CancellationToken& cancel);

  const std::string& root() const { return root_; }
  IndexStore& store() { return *store_; }

 private:
  Indexer(std::string root, std::unique_ptr<IndexStore> store, const IndexerOptions& options);
  struct ParsedFile;
  absl::Status ParseAndStore(const std::vector<ScannedFile>& files, const ProgressFn& progress,
                             const CancellationToken& cancel, IndexSummary* summary);
  absl::Status ReresolveImports(IndexSummary* summary);
  absl::Status UpdateHistory(const std::string& head_commit, const CancellationToken& cancel,
                             IndexSummary* summary);

  std::string root_;
  std::unique_ptr<IndexStore> store_;
  IndexerOptions options_;
  std::unique_ptr<PathSet> paths_;  // the indexed paths, for import resolution; built by Sync
};

// Where a workspace's database lives: <data_dir>/workspaces/<id>/index.db.
std::string WorkspaceDatabasePath(const std::string& data_dir, const std::string& root);
// A stable id for a workspace root: "<basename>-<first 12 hex digits of the blob hash of the path>".
std::string WorkspaceId(const std::string& root);

}  // namespace engram::repo_index
