// Extracts FileFacts from source text with tree-sitter and one query file per language.
//
//   Parser parser;                                        // one per thread
//   ASSIGN_OR_RETURN(FileFacts facts, parser.Parse(Language::kCpp, source));
//
// The query files (parse/queries/<language>.scm) are compiled into the binary and compiled by
// tree-sitter once per process (shared, immutable). A Parser holds a TSParser and query cursors, so it
// is not thread-safe: use one per worker thread. Parse never crashes on bad input: invalid UTF-8,
// binary garbage and syntax errors give best-effort facts (`has_syntax_errors`). Errors: a language
// without a grammar, or source over ParseOptions::max_bytes, return InvalidArgument; a parse that runs
// past ParseOptions::timeout returns DeadlineExceeded.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/language.h"
#include "repo_index/parse/facts.h"

namespace engram::repo_index {

struct ParseOptions {
  uint64_t max_bytes = 1u << 20;        // larger sources are refused (the scanner's cap)
  uint32_t chunk_target_lines = 60;     // chunks aim for this size ...
  uint32_t chunk_max_lines = 120;       // ... and split definitions longer than this
  uint32_t chunk_max_bytes = 6000;      // hard cap on a chunk's bytes (long lines)
  uint32_t timeout_ms = 5000;           // per file
};

class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  absl::StatusOr<FileFacts> Parse(Language language, std::string_view source,
                                  const ParseOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when the build has a grammar for `language` (all nine languages do; kUnknown does not).
bool HasGrammar(Language language);

}  // namespace engram::repo_index

namespace engram::repo_index {
// Chunks for a file without a grammar (docs, config, unknown languages): cut at blank lines near
// `chunk_target_lines`, never over `chunk_max_lines` / `chunk_max_bytes`. Same contract as Chunk.
std::vector<Chunk> ChunkPlainText(std::string_view source, const ParseOptions& options = {});
}  // namespace engram::repo_index
