#include "repo_index/query/fusion.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"

namespace engram::repo_index {
namespace {

double Rrf(const FusionOptions& options, Signal signal, uint32_t rank) {
  return options.weights[static_cast<size_t>(signal)] / (options.rrf_k + rank);
}

// Keeps one reason per signal: the best-ranked.
void AddReason(std::vector<Reason>* reasons, const Reason& reason) {
  for (Reason& r : *reasons) {
    if (r.signal == reason.signal) {
      if (reason.rank < r.rank) r = reason;
      return;
    }
  }
  reasons->push_back(reason);
}

void SortReasons(std::vector<Reason>* reasons) {
  std::sort(reasons->begin(), reasons->end(),
            [](const Reason& a, const Reason& b) { return a.signal < b.signal; });
}

// Lines [skip, ...) of `text`.
std::string_view DropLines(std::string_view text, uint32_t skip) {
  size_t pos = 0;
  for (uint32_t i = 0; i < skip; ++i) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return {};
    pos = nl + 1;
  }
  return text.substr(pos);
}

}  // namespace

std::string_view SignalName(Signal signal) {
  switch (signal) {
    case Signal::kSymbol:
      return "symbol";
    case Signal::kNgram:
      return "ngram";
    case Signal::kText:
      return "text";
    case Signal::kRepoMap:
      return "repo_map";
    case Signal::kCoChange:
      return "co_change";
    case Signal::kRecency:
      return "recency";
  }
  return "unknown";
}

std::string RenderContextItem(const ContextItem& item) {
  std::string out;
  if (item.kind == ContextItem::Kind::kRepoMap) {
    out = "// repo map\n";
  } else {
    out = "// " + item.path + ":" + std::to_string(item.start_line) + "-" +
          std::to_string(item.end_line) + "\n";
  }
  out += item.text;
  if (out.empty() || out.back() != '\n') out.push_back('\n');
  return out;
}

std::vector<FusedFile> FuseFiles(const std::vector<SignalFiles>& signals,
                                 const FusionOptions& options) {
  absl::flat_hash_map<std::string, FusedFile> by_path;
  for (const SignalFiles& s : signals) {
    for (size_t i = 0; i < s.files.size(); ++i) {
      const auto& e = s.files[i];
      FusedFile& f = by_path[e.path];
      f.path = e.path;
      const auto rank = static_cast<uint32_t>(i + 1);
      f.score += Rrf(options, s.signal, rank);
      AddReason(&f.reasons, Reason{s.signal, rank, e.score, e.detail});
    }
  }
  std::vector<FusedFile> files;
  files.reserve(by_path.size());
  for (auto& [path, f] : by_path) {
    SortReasons(&f.reasons);
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(), [](const FusedFile& a, const FusedFile& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.path < b.path;
  });
  if (files.size() > options.max_files) files.resize(options.max_files);
  return files;
}

std::vector<ContextItem> FuseItems(const std::vector<Candidate>& candidates,
                                   const std::vector<FusedFile>& files,
                                   const FusionOptions& options) {
  // Per file, candidates by start line; a sweep merges overlapping or touching ranges.
  std::map<std::string, std::vector<const Candidate*>> by_file;
  for (const Candidate& c : candidates) by_file[c.path].push_back(&c);
  absl::flat_hash_map<std::string_view, double> file_score;
  for (const FusedFile& f : files) file_score[f.path] = f.score;

  std::vector<ContextItem> items;
  for (auto& [path, list] : by_file) {
    std::sort(list.begin(), list.end(), [](const Candidate* a, const Candidate* b) {
      return std::tie(a->start_line, a->end_line) < std::tie(b->start_line, b->end_line);
    });
    ContextItem* open = nullptr;
    for (const Candidate* c : list) {
      if (open != nullptr && c->start_line <= open->end_line + 1) {
        if (c->end_line > open->end_line) {
          open->text += DropLines(c->text, open->end_line + 1 - c->start_line);
          if (!open->text.empty() && open->text.back() != '\n') open->text.push_back('\n');
          open->end_line = c->end_line;
        }
        if (open->scope.empty()) open->scope = c->scope;
        AddReason(&open->reasons, c->reason);
        continue;
      }
      ContextItem item;
      item.path = path;
      item.start_line = c->start_line;
      item.end_line = c->end_line;
      item.scope = c->scope;
      item.text = c->text;
      if (!item.text.empty() && item.text.back() != '\n') item.text.push_back('\n');
      item.reasons.push_back(c->reason);
      items.push_back(std::move(item));
      open = &items.back();
    }
  }
  for (ContextItem& item : items) {
    SortReasons(&item.reasons);
    double score = 0;
    for (const Reason& r : item.reasons) score += Rrf(options, r.signal, r.rank);
    auto it = file_score.find(item.path);
    if (it != file_score.end()) score += options.file_prior * it->second;
    item.score = score;
  }
  std::sort(items.begin(), items.end(), [](const ContextItem& a, const ContextItem& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.path != b.path) return a.path < b.path;
    return a.start_line < b.start_line;
  });
  return items;
}

PackResult Pack(std::vector<ContextItem> items, std::optional<ContextItem> repo_map, size_t budget,
                const MemoryTokenizer& counter) {
  PackResult out;
  auto offer = [&](ContextItem item) {
    item.tokens = counter.CountTokens(RenderContextItem(item));
    if (out.tokens_used + item.tokens > budget) {
      ++out.skipped;
      return;
    }
    out.tokens_used += item.tokens;
    out.items.push_back(std::move(item));
  };
  if (repo_map) offer(std::move(*repo_map));
  for (ContextItem& item : items) offer(std::move(item));
  return out;
}

}  // namespace engram::repo_index
