// WorkspaceMemory: the ProjectMemory of one indexed workspace (its SQLite index, its n-gram memory,
// its symbol graph).
//
//   ASSIGN_OR_RETURN(auto memory, WorkspaceMemory::Open(db_path, ngram, tokenizer));
//   ASSIGN_OR_RETURN(RetrievalResult r, memory->Retrieve(query, 8000));
//
// Retrieve runs the signals of signals.h, fuses them (fusion.h) and packs the items into the budget
// as counted by `tokenizer` (the loaded model's, or the lexical estimate). The symbol graph is
// built on first use and rebuilt when the index's symbols changed, at most once per
// `graph_refresh_seconds` (in between, the previous graph answers: a few seconds of staleness in
// the repo map is cheaper than rebuilding it on every keystroke on a Linux-sized tree).
//
// Thread-safety: Retrieve may be called from any thread; calls are serialized. Within one call the
// BM25 signal runs on a second thread with its own read connection while the others run on the
// caller's. The n-gram memory may be updated concurrently by the indexing thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/memory/symbol_graph.h"
#include "repo_index/query/retrieval.h"
#include "repo_index/query/signals.h"

namespace engram::repo_index {

class IndexStore;
class NgramMemory;

struct WorkspaceMemoryOptions {
  RetrievalOptions retrieval;
  // Coarser than the defaults (push threshold, definition flows from fewer files): retrieval needs
  // the top files and the map's first hundred definitions, within a few milliseconds.
  SymbolGraphOptions graph = {.epsilon = 1e-4, .max_flow_sources = 24};
  double graph_refresh_seconds = 30;
};

class WorkspaceMemory final : public ProjectMemory {
 public:
  // `ngram` may be null (no n-gram signal). Opens its own read-only connection to the index.
  static absl::StatusOr<std::unique_ptr<WorkspaceMemory>> Open(
      const std::string& db_path, std::shared_ptr<const NgramMemory> ngram,
      std::shared_ptr<const MemoryTokenizer> tokenizer, const WorkspaceMemoryOptions& options = {});
  ~WorkspaceMemory() override;

  absl::StatusOr<RetrievalResult> Retrieve(const RetrievalQuery& query, size_t budget) override;

  // Builds (or refreshes) the symbol graph now, e.g. after indexing, so the first request is fast.
  absl::Status WarmUp();

 private:
  WorkspaceMemory(std::unique_ptr<IndexStore> store, std::unique_ptr<IndexStore> text_store,
                  std::shared_ptr<const NgramMemory> ngram,
                  std::shared_ptr<const MemoryTokenizer> tokenizer,
                  const WorkspaceMemoryOptions& options);
  absl::Status RefreshGraphLocked(uint64_t generation, bool force);

  std::mutex mu_;
  std::unique_ptr<IndexStore> store_;       // symbol, n-gram chunks, history
  std::unique_ptr<IndexStore> text_store_;  // BM25, on a thread of its own during Retrieve
  std::shared_ptr<const NgramMemory> ngram_;
  std::shared_ptr<const MemoryTokenizer> tokenizer_;
  WorkspaceMemoryOptions options_;
  std::shared_ptr<const SymbolGraph> graph_;
  std::chrono::steady_clock::time_point graph_built_;
  // FTS term -> chunks holding it; cleared when the index's symbols generation moves (a proxy for
  // "the chunks changed": counts a commit or two old only shift BM25 term choice slightly).
  absl::flat_hash_map<std::string, int64_t> term_docs_;
  uint64_t term_docs_generation_ = 0;
};

}  // namespace engram::repo_index
