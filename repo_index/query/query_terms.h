// The identifiers of a retrieval request, weighted by how much they say about what to fetch.
//
//   std::vector<QueryTerm> terms = ExtractQueryTerms(query_text, cursor_text, explicit_ids);
//
// A term is an identifier-like word ([A-Za-z_$][A-Za-z0-9_$]*, at least 2 bytes) that is not a
// keyword or builtin type of the indexed languages and not a bare number. Weights, multiplied:
//   - 1 per occurrence in the text, saturating (1 + log(count));
//   - x3 when it appears in `cursor_text` (the lines at the cursor), x8 when explicitly named;
//   - x1.5 when written as a call or macro use (followed by '(');
//   - x0.5 for 2-byte words, x0.7 for words in ALL CAPS shorter than 4 bytes.
// Sorted by weight descending, then word; at most `limit`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace engram::repo_index {

struct QueryTerm {
  std::string word;
  double weight = 0;
  uint32_t count = 0;  // occurrences in the text and cursor lines
  bool call = false;   // seen followed by '('
  bool at_cursor = false;
  bool named = false;  // given explicitly by the request
};

std::vector<QueryTerm> ExtractQueryTerms(std::string_view text, std::string_view cursor_text,
                                         const std::vector<std::string>& named, size_t limit);

// True for keywords and builtin type names of C, C++, Python, JavaScript/TypeScript, Go, Rust,
// Java.
bool IsCommonKeyword(std::string_view word);

}  // namespace engram::repo_index
