// Cuts a parsed file into retrieval chunks at definition boundaries (internal to parse/).
//
// Chunks cover the file in order without overlap (whitespace-only pieces are dropped), each at
// most options.chunk_max_lines lines and options.chunk_max_bytes bytes; a single line longer than
// chunk_max_bytes is cut by bytes at UTF-8 character boundaries. Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "repo_index/parse/facts.h"
#include "repo_index/parse/parser.h"

namespace engram::repo_index::internal {

// `head_lines[i]` is the first line (1-based) of symbols[i] counting its doc comment and wrappers
// (decorators, `template <...>`, `export`); it is never after symbols[i].range.start_line.
std::vector<Chunk> ChunkDefinitions(std::string_view source, const std::vector<Symbol>& symbols,
                                    const std::vector<uint32_t>& head_lines,
                                    const ParseOptions& options);

}  // namespace engram::repo_index::internal
