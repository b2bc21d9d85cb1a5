#include "repo_index/memory/repo_map.h"

#include <algorithm>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace engram::repo_index {
namespace {

// The text of definitions[i] for i in `chosen` (ascending input positions).
std::string Render(const std::vector<RankedDefinition>& definitions,
                   const std::vector<size_t>& chosen) {
  // Files in order of first appearance; each file's definitions by line, then input position.
  absl::flat_hash_map<std::string_view, size_t> file_slot;
  std::vector<std::vector<size_t>> groups;
  for (size_t i : chosen) {
    auto [it, inserted] = file_slot.try_emplace(definitions[i].path, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  std::string text;
  for (std::vector<size_t>& group : groups) {
    std::stable_sort(group.begin(), group.end(), [&](size_t a, size_t b) {
      return definitions[a].start_line < definitions[b].start_line;
    });
    uint32_t widest = 0;
    for (size_t i : group) widest = std::max(widest, definitions[i].start_line);
    const size_t width = std::to_string(widest).size();
    text += definitions[group.front()].path;
    text += ":\n";
    for (size_t i : group) {
      const RankedDefinition& d = definitions[i];
      const std::string line = std::to_string(d.start_line);
      text += "  ";
      text.append(width - line.size(), ' ');
      text += line;
      text += "\u2502 ";
      const std::string_view signature = d.signature.empty() ? d.name : d.signature;
      for (char c : signature) text.push_back(c == '\n' || c == '\r' ? ' ' : c);
      text += '\n';
    }
  }
  return text;
}

std::vector<size_t> Prefix(size_t k) {
  std::vector<size_t> chosen(k);
  for (size_t i = 0; i < k; ++i) chosen[i] = i;
  return chosen;
}

}  // namespace

RepoMap RenderRepoMap(const std::vector<RankedDefinition>& definitions, size_t token_budget,
                      const MemoryTokenizer& counter) {
  const size_t n = definitions.size();
  // Estimated cost of each definition: its line alone, plus its file's header line when it is the
  // first of its file. Exact for a tokenizer that counts lines independently and ignores padding
  // (the lexical one); only a guide otherwise: every accepted text is counted whole.
  std::vector<size_t> line_cost(n), header_cost(n);
  {
    absl::flat_hash_map<std::string_view, size_t> header_of;
    for (size_t i = 0; i < n; ++i) {
      const RankedDefinition& d = definitions[i];
      auto [it, inserted] = header_of.try_emplace(d.path, 0);
      if (inserted) it->second = counter.CountTokens(d.path + ":\n");
      header_cost[i] = it->second;
      const size_t alone = counter.CountTokens(Render(definitions, {i}));
      line_cost[i] = alone > header_cost[i] ? alone - header_cost[i] : 0;
    }
  }
  auto cost_of = [&](size_t i, bool first_of_file) {
    return line_cost[i] + (first_of_file ? header_cost[i] : 0);
  };

  // Renders `chosen`; when it fits, keeps the text and its count in text / tokens.
  std::string text;
  size_t tokens = 0;
  auto fits = [&](const std::vector<size_t>& chosen) {
    std::string candidate = Render(definitions, chosen);
    const size_t cost = counter.CountTokens(candidate);
    if (cost > token_budget) return false;
    text = std::move(candidate);
    tokens = cost;
    return true;
  };

  // The longest prefix that fits: the estimated one and the one after it, then bisection where the
  // estimate was off. Prefix `low` fits (0 does: empty text); prefix `high` does not (n + 1 stands
  // for "past the end" and is never rendered).
  size_t estimate = 0;
  {
    absl::flat_hash_set<std::string_view> seen;
    size_t total = 0;
    for (; estimate < n; ++estimate) {
      const size_t cost = cost_of(estimate, seen.insert(definitions[estimate].path).second);
      if (total + cost > token_budget) break;
      total += cost;
    }
  }
  size_t low = 0, high = n + 1;
  std::string low_text;
  size_t low_tokens = 0;
  auto probe = [&](size_t k) {
    if (fits(Prefix(k))) {
      low = k;
      low_text = text;
      low_tokens = tokens;
    } else {
      high = k;
    }
  };
  if (n > 0) {
    const size_t first = std::max<size_t>(estimate, 1);
    probe(first);
    if (low == first && first < n) probe(first + 1);
    while (high - low > 1) probe(low + (high - low) / 2);
  }

  // Fill: later definitions whose estimated cost fits what is left, each verified by a full count.
  std::vector<size_t> chosen = Prefix(low);
  absl::flat_hash_set<std::string_view> shown;
  for (size_t i : chosen) shown.insert(definitions[i].path);
  size_t verified = 0;
  for (size_t i = low + 1; i < n && verified < kRepoMapFillTries; ++i) {
    if (low_tokens + cost_of(i, !shown.contains(definitions[i].path)) > token_budget) continue;
    ++verified;
    chosen.push_back(i);
    if (fits(chosen)) {
      low_text = text;
      low_tokens = tokens;
      shown.insert(definitions[i].path);
    } else {
      chosen.pop_back();
    }
  }

  RepoMap map;
  map.text = std::move(low_text);
  map.tokens = chosen.empty() ? counter.CountTokens(map.text) : low_tokens;
  for (size_t i : chosen) map.definitions.push_back(definitions[i]);
  return map;
}

}  // namespace engram::repo_index
