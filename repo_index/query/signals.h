// The retrieval signals of WorkspaceMemory, one function each. Each ranks files and, where it can,
// proposes chunks (Candidate) with the reason it chose them. Internal to repo_index/query.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/query/fusion.h"
#include "repo_index/query/query_terms.h"
#include "repo_index/query/retrieval.h"

namespace engram::repo_index {

class IndexStore;
class NgramMemory;
class SymbolGraph;

struct RetrievalOptions {
  FusionOptions fusion;
  size_t max_terms = 40;        // identifiers looked up
  size_t max_definitions = 16;  // a name defined more often than this is too ambiguous to fetch
  size_t text_terms = 8;        // BM25 query terms (the most specific ones)
  double text_max_chunk_share = 0.005;   // terms in more chunks than this share are too common
  int64_t text_min_common_chunks = 50;   // ... but in a small index, only above this many chunks
  int text_chunks = 40;                  // chunks BM25 ranks
  uint64_t ngram_max_occurrences = 200;  // n-grams occurring more often say little: skipped
  size_t max_candidates = 30;            // chunks proposed per signal
  double repo_map_share = 0.15;          // of the budget, for the rendered repo map
  size_t repo_map_identifiers = 12;      // identifiers seeding the personalized PageRank
  uint32_t own_context_lines =
      10;  // current file lines within this distance of the cursor are the caller's
  size_t signal_files = 50;  // files kept per signal
};

// What every signal sees.
struct SignalContext {
  IndexStore* store = nullptr;
  const NgramMemory* ngram = nullptr;  // may be null (no n-gram memory)
  const SymbolGraph* graph = nullptr;  // may be null (not built yet)
  const MemoryTokenizer* tokenizer = nullptr;
  const RetrievalQuery* query = nullptr;
  const std::vector<QueryTerm>* terms = nullptr;
  const RetrievalOptions* options = nullptr;
  // Chunk counts of FTS terms already looked up (owned by the caller, reused across requests).
  absl::flat_hash_map<std::string, int64_t>* term_docs = nullptr;
  // The caller's own region: current_file lines [own_first, own_last] (none when own_last == 0).
  uint32_t own_first = 0;
  uint32_t own_last = 0;
  bool IsOwn(std::string_view path, uint32_t start_line, uint32_t end_line) const;
};

struct SignalOutput {
  SignalFiles files;
  std::vector<Candidate> candidates;
  std::optional<ContextItem> repo_map;  // the repo map signal's rendered item
  std::string note;
};

absl::StatusOr<SignalOutput> RunSymbolSignal(const SignalContext& ctx);
absl::StatusOr<SignalOutput> RunNgramSignal(const SignalContext& ctx);
absl::StatusOr<SignalOutput> RunTextSignal(const SignalContext& ctx);
// `map_budget`: tokens for the rendered repo map (0: none rendered).
absl::StatusOr<SignalOutput> RunRepoMapSignal(const SignalContext& ctx, size_t map_budget);
absl::StatusOr<SignalOutput> RunCoChangeSignal(const SignalContext& ctx);
// Ranks `candidates` (files other signals found) by last change, newest first.
absl::StatusOr<SignalOutput> RunRecencySignal(const SignalContext& ctx,
                                              const std::vector<std::string>& candidates);

}  // namespace engram::repo_index
