// Reciprocal rank fusion of the retrieval signals, merging of overlapping chunks, and packing into
// a token budget. Pure functions over plain values (no index access), so they are tested directly.
//
//   std::vector<FusedFile> files = FuseFiles(signal_files, options);
//   std::vector<ContextItem> items = FuseItems(candidates, files, options);
//   PackResult packed = Pack(std::move(items), std::move(repo_map), budget, counter);
//
// Fusion (Cormack et al., reciprocal rank fusion): an object ranked r_s by signal s scores
// sum_s w_s / (k + r_s). Items also inherit file_prior × their file's fused score, so file-level
// signals (repo map, co-change, recency) lift the chunks of the files they rank.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/query/retrieval.h"

namespace engram::repo_index {

struct FusionOptions {
  double rrf_k = 20;  // lower than the usual 60: the first ranks of the precise signals count more
  // Signal weights, in Signal order: symbol, ngram, text, repo_map, co_change, recency. The symbol
  // signal (definitions of the request's identifiers) is the most precise for code.
  std::array<double, kSignalCount> weights = {1.0, 0.5, 0.5, 0.5, 0.5, 0.2};
  double file_prior = 0.5;
  size_t max_files = 50;
};

// One signal's file ranking: paths best first, with the signal's score and what matched.
struct SignalFiles {
  Signal signal = Signal::kSymbol;
  struct Entry {
    std::string path;
    double score = 0;
    std::string detail;
  };
  std::vector<Entry> files;
};

// A chunk a signal proposes, with the signal's reason (rank within that signal's chunk list).
struct Candidate {
  std::string path;
  uint32_t start_line = 0;
  uint32_t end_line = 0;
  std::string scope;
  std::string text;  // the lines start_line..end_line
  Reason reason;
};

std::vector<FusedFile> FuseFiles(const std::vector<SignalFiles>& signals,
                                 const FusionOptions& options);

// Groups candidates by file; those whose line ranges overlap or touch become one item (text joined
// line by line, reasons united keeping each signal's best rank); scores fused. Sorted best first
// (ties: path, line).
std::vector<ContextItem> FuseItems(const std::vector<Candidate>& candidates,
                                   const std::vector<FusedFile>& files,
                                   const FusionOptions& options);

struct PackResult {
  std::vector<ContextItem> items;
  size_t tokens_used = 0;
  size_t skipped = 0;  // items that did not fit
};

// Packs `repo_map` (when given, first, if it fits) then `items` in order, each costing
// counter.CountTokens(RenderContextItem(item)); an item that does not fit is skipped and smaller
// ones after it still get their chance. The sum never exceeds `budget`.
PackResult Pack(std::vector<ContextItem> items, std::optional<ContextItem> repo_map, size_t budget,
                const MemoryTokenizer& counter);

}  // namespace engram::repo_index
