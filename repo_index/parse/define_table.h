// A fast path for generated C/C++ headers that are only preprocessor lines (register maps, enum
// tables: tens of MB of `#define NAME 0x...` in kernel trees). Parsing them with tree-sitter costs
// as much as real code and yields nothing a line scanner does not: one macro per #define.
//
//   if (std::optional<FileFacts> facts = ParseDefineTable(Language::kC, source, options)) ...
//
// Applies to C and C++ sources of at least kDefineTableMinBytes whose every line is blank, a comment
// (`//`, or inside / opening / closing a `/* */` block), or a preprocessor directive (with `\`
// continuations). Returns nullopt otherwise, and the caller parses normally. Facts: a kMacro symbol
// per #define (name, signature = the line, range over its continuation lines), an import per
// #include, plain-text chunks, no references. Pure function, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "repo_index/language.h"
#include "repo_index/parse/facts.h"
#include "repo_index/parse/parser.h"

namespace engram::repo_index {

inline constexpr size_t kDefineTableMinBytes = 64 * 1024;

std::optional<FileFacts> ParseDefineTable(Language language, std::string_view source,
                                          const ParseOptions& options);

}  // namespace engram::repo_index
