// The repo map as prompt text: ranked definitions rendered as file paths and signatures, within a
// token budget.
//
//   std::vector<RankedDefinition> defs = graph->RankDefinitions(seeds, 400);   // symbol_graph.h
//   RepoMap map = RenderRepoMap(defs, /*token_budget=*/1024, tokenizer);
//   prompt += map.text;                               // counter.CountTokens(map.text) <= 1024
//
// Format: one block per file, files in the order of their first definition in the input (rank
// order); the file's path and a colon, then its rendered definitions in line order, each indented
// by two spaces with its start line right-aligned to the widest line number of the block:
//
//   drivers/net/foo.c:
//      88│ struct foo_priv {
//     123│ static int foo_probe(struct pci_dev *pdev)
//
// A signature's line breaks (there should be none) become spaces; an empty signature shows the
// name. Budget: the longest prefix of the input whose text costs at most `token_budget` by
// counter.CountTokens on the whole text (found from per-line estimates, confirmed or corrected by
// bisection; every accepted text is counted whole, so a tokenizer whose count is not additive or
// monotonic still never exceeds the budget), then later definitions whose estimated cost fits what
// is left are added, up to kRepoMapFillTries full checks (a long signature does not end the map
// early). A budget too small for the first definition gives empty text. Cost: O(n) short counts
// plus a few whole-text renders and counts (about log n when the estimates are off).
//
// Thread-safety: a pure function of its arguments.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/memory/symbol_graph.h"

namespace engram::repo_index {

struct RepoMap {
  std::string text;
  std::vector<RankedDefinition> definitions;  // the rendered ones, in input (rank) order
  size_t tokens = 0;                          // counter.CountTokens(text)
};

inline constexpr size_t kRepoMapFillTries = 32;

RepoMap RenderRepoMap(const std::vector<RankedDefinition>& definitions, size_t token_budget,
                      const MemoryTokenizer& counter);

}  // namespace engram::repo_index
