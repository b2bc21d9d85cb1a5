// ProjectMemory: what the agent and the editors recall from a workspace for a request, within a
// token budget, with the reasons each item was chosen.
//
//   RetrievalQuery query;
//   query.text = "null pointer dereference in usb_probe";      // instruction, error, stack trace
//   query.current_file = "drivers/usb/core.c";
//   query.cursor_line = 120;
//   ASSIGN_OR_RETURN(RetrievalResult result, memory.Retrieve(query, /*budget=*/8000));
//   for (const ContextItem& item : result.items) Use(item.path, item.text, item.reasons);
//
// Signals (each ranks files and, where it can, chunks): definitions of the identifiers in the
// request (symbol), hashed n-gram recall of the request's token sequences (ngram), BM25 over chunk
// text (text), personalized PageRank over the definition/reference graph seeded by the request
// (repo_map), files changed together with the seed files (co_change) and recently changed
// candidates (recency). They are combined by weighted reciprocal rank fusion, overlapping chunks
// merged, and items packed best first into the budget as counted by the tokenizer. The request's
// own region (current file, lines around the cursor) is what the caller already has: it is never
// returned.
//
// Thread-safety: an implementation documents its own; WorkspaceMemory serializes Retrieve calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace engram::repo_index {

enum class Signal : uint8_t { kSymbol = 0, kNgram, kText, kRepoMap, kCoChange, kRecency };
inline constexpr int kSignalCount = 6;
// "symbol", "ngram", "text", "repo_map", "co_change", "recency"
std::string_view SignalName(Signal signal);

struct RetrievalQuery {
  std::string text;                      // free text: instruction, error message, stack trace, code
  std::string current_file;              // workspace-relative; empty when none
  uint32_t cursor_line = 0;              // 1-based line in current_file; 0 when none
  std::vector<std::string> identifiers;  // identifiers the request names explicitly
  std::vector<std::string> files;        // files the request names explicitly (workspace-relative)
};

// Why something was chosen: one entry per signal that ranked it.
struct Reason {
  Signal signal = Signal::kSymbol;
  uint32_t rank = 0;   // 1-based rank within the signal's list
  double score = 0;    // the signal's own score (bm25, PageRank mass, weighted matches, ...)
  std::string detail;  // what matched: "defines usb_probe", "4-gram 'dev err probe failed'", ...
};

struct ContextItem {
  enum class Kind : uint8_t { kChunk = 0, kRepoMap };
  Kind kind = Kind::kChunk;
  std::string path;         // empty for the repo map
  uint32_t start_line = 0;  // 1-based, inclusive; 0 for the repo map
  uint32_t end_line = 0;
  std::string scope;  // enclosing scope path of a chunk, may be empty
  std::string text;
  size_t tokens = 0;  // cost of Render(item) as counted by the tokenizer
  double score = 0;   // fused score
  std::vector<Reason> reasons;
};

// How an item is laid out in a prompt (and what its token cost counts): a header line
// "// <path>:<start>-<end>" (or "// repo map") followed by the text and a newline.
std::string RenderContextItem(const ContextItem& item);

struct FusedFile {
  std::string path;
  double score = 0;  // fused
  std::vector<Reason> reasons;
};

struct SignalRun {
  Signal signal = Signal::kSymbol;
  std::vector<std::string> files;  // the signal's file ranking, best first (at most 50)
  double elapsed_ms = 0;
  std::string note;  // why it is empty or partial ("no history", "no n-gram memory")
};

struct RetrievalResult {
  std::vector<ContextItem> items;  // packed, best first; sum of tokens <= budget
  size_t budget = 0;
  size_t tokens_used = 0;
  std::vector<FusedFile> files;    // fused file ranking (at most 50), the current file excluded
  std::vector<SignalRun> signals;  // per signal, in Signal order
  double elapsed_ms = 0;
};

class ProjectMemory {
 public:
  virtual ~ProjectMemory() = default;
  virtual absl::StatusOr<RetrievalResult> Retrieve(const RetrievalQuery& query, size_t budget) = 0;
};

}  // namespace engram::repo_index
