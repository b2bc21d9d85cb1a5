#include "repo_index/query/signals.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "repo_index/memory/ngram_memory.h"
#include "repo_index/memory/repo_map.h"
#include "repo_index/memory/symbol_graph.h"
#include "repo_index/store/code_tokenizer.h"
#include "repo_index/store/index_store.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

// Accumulates per-file scores and orders them.
class FileTally {
 public:
  void Add(const std::string& path, double score, std::string_view detail) {
    Entry& e = by_path_[path];
    e.score += score;
    if (score > e.best) {
      e.best = score;
      e.detail = std::string(detail);
    }
  }
  SignalFiles Ranked(Signal signal, size_t limit) const {
    SignalFiles out;
    out.signal = signal;
    for (const auto& [path, e] : by_path_) out.files.push_back({path, e.score, e.detail});
    std::sort(out.files.begin(), out.files.end(), [](const auto& a, const auto& b) {
      if (a.score != b.score) return a.score > b.score;
      return a.path < b.path;
    });
    if (out.files.size() > limit) out.files.resize(limit);
    return out;
  }

 private:
  struct Entry {
    double score = 0;
    double best = -1;
    std::string detail;
  };
  absl::flat_hash_map<std::string, Entry> by_path_;
};

struct ScoredChunk {
  ChunkHit chunk;
  double score = 0;
  std::string detail;
};

// Ranks scored chunks into candidates (best first, at most `limit`, the caller's own region left
// out).
void AddCandidates(const SignalContext& ctx, Signal signal, std::vector<ScoredChunk> chunks,
                   std::vector<Candidate>* out) {
  std::sort(chunks.begin(), chunks.end(), [](const ScoredChunk& a, const ScoredChunk& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.chunk.path != b.chunk.path) return a.chunk.path < b.chunk.path;
    return a.chunk.start_line < b.chunk.start_line;
  });
  uint32_t rank = 0;
  for (ScoredChunk& c : chunks) {
    if (out->size() >= ctx.options->max_candidates) break;
    if (ctx.IsOwn(c.chunk.path, c.chunk.start_line, c.chunk.end_line)) continue;
    Candidate cand;
    cand.path = std::move(c.chunk.path);
    cand.start_line = c.chunk.start_line;
    cand.end_line = c.chunk.end_line;
    cand.scope = std::move(c.chunk.scope);
    cand.text = std::move(c.chunk.text);
    cand.reason = Reason{signal, ++rank, c.score, std::move(c.detail)};
    out->push_back(std::move(cand));
  }
}

double KindFactor(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kFunction:
    case SymbolKind::kMethod:
    case SymbolKind::kClass:
    case SymbolKind::kStruct:
    case SymbolKind::kInterface:
    case SymbolKind::kTrait:
    case SymbolKind::kMacro:
      return 1.0;
    case SymbolKind::kEnum:
    case SymbolKind::kUnion:
    case SymbolKind::kTypeAlias:
    case SymbolKind::kConstant:
      return 0.8;
    case SymbolKind::kNamespace:
      return 0.3;
    case SymbolKind::kField:
    case SymbolKind::kVariable:
      return 0.5;
  }
  return 0.5;
}

// The query text between two token spans, whitespace collapsed, at most 60 bytes.
std::string SpanText(std::string_view text, uint32_t begin, uint32_t end) {
  std::string out;
  bool space = false;
  for (uint32_t i = begin; i < end && i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= 60) break;
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool SignalContext::IsOwn(std::string_view path, uint32_t start_line, uint32_t end_line) const {
  if (own_last == 0 || path != query->current_file) return false;
  return start_line <= own_last && end_line >= own_first;
}

// ---- symbol: definitions of the request's identifiers -------------------------------------------

absl::StatusOr<SignalOutput> RunSymbolSignal(const SignalContext& ctx) {
  SignalOutput out;
  FileTally files;
  struct Def {
    std::string path;
    uint32_t start_line;
    double score;
    std::string detail;
  };
  std::vector<Def> defs;
  const size_t max_defs = ctx.options->max_definitions;
  size_t ambiguous = 0;
  for (const QueryTerm& term : *ctx.terms) {
    // Counted first: fetching (and ordering) the rows of a name defined thousands of times is what
    // would cost, and such a name is skipped anyway. Qualified names (a::b) go straight to the
    // fetch.
    if (term.word.find_first_of(":.") == std::string::npos) {
      ASSIGN_OR_RETURN(int64_t named,
                       ctx.store->CountSymbolsNamed(term.word, static_cast<int64_t>(max_defs + 1)));
      if (named == 0) continue;
      if (named > static_cast<int64_t>(max_defs)) {
        ++ambiguous;
        continue;
      }
    }
    ASSIGN_OR_RETURN(
        std::vector<SymbolHit> hits,
        ctx.store->FindSymbols(term.word, NameMatch::kExact, static_cast<int>(max_defs + 1)));
    if (hits.empty()) continue;
    if (hits.size() > max_defs) {
      ++ambiguous;
      continue;
    }
    const double share = term.weight / static_cast<double>(hits.size());
    for (SymbolHit& hit : hits) {
      const Symbol& sym = hit.symbol;
      if (ctx.IsOwn(hit.path, sym.range.start_line, sym.range.end_line)) continue;
      const double score = share * KindFactor(sym.kind);
      std::string detail = absl::StrFormat("defines %s (%s)", term.word, SymbolKindName(sym.kind));
      files.Add(hit.path, score, detail);
      defs.push_back({std::move(hit.path), sym.range.start_line, score, std::move(detail)});
    }
  }
  out.files = files.Ranked(Signal::kSymbol, ctx.options->signal_files);
  // Chunks only for the best definitions (one lookup each).
  std::sort(defs.begin(), defs.end(), [](const Def& a, const Def& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.path != b.path) return a.path < b.path;
    return a.start_line < b.start_line;
  });
  std::vector<ScoredChunk> chunks;
  absl::flat_hash_set<int64_t> seen;
  for (Def& def : defs) {
    if (chunks.size() >= ctx.options->max_candidates) break;
    ASSIGN_OR_RETURN(std::optional<ChunkHit> chunk, ctx.store->ChunkAt(def.path, def.start_line));
    if (!chunk || !seen.insert(chunk->chunk_id).second) continue;
    chunks.push_back({std::move(*chunk), def.score, std::move(def.detail)});
  }
  AddCandidates(ctx, Signal::kSymbol, std::move(chunks), &out.candidates);
  if (ambiguous > 0) out.note = absl::StrFormat("%d names too ambiguous to fetch", ambiguous);
  return out;
}

// ---- ngram: where the request's token 4- and 3-grams occur
// ----------------------------------------------

absl::StatusOr<SignalOutput> RunNgramSignal(const SignalContext& ctx) {
  SignalOutput out;
  if (ctx.ngram == nullptr) {
    out.files.signal = Signal::kNgram;
    out.note = "no n-gram memory";
    return out;
  }
  const std::string& text = ctx.query->text;
  std::vector<MemoryToken> tokens;
  ctx.tokenizer->Tokenize(text, &tokens);
  std::vector<uint32_t> ids(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) ids[i] = tokens[i].id;

  FileTally files;
  struct LineHit {
    double score = 0;
    std::string detail;
    double best = -1;
  };
  std::map<std::pair<std::string, uint32_t>, LineHit> lines;
  absl::flat_hash_set<uint64_t> seen;
  const uint64_t max_occ = ctx.options->ngram_max_occurrences;
  size_t common = 0;
  // 4-grams, and 3-grams at half weight (an error message quoted with a value where the source has
  // a format directive shares 3-grams, not 4-grams). A rare n-gram says more: weight 1/occurrences.
  for (size_t n : {size_t{4}, size_t{3}}) {
    const double n_weight = n == 4 ? 1.0 : 0.5;
    for (size_t i = 0; i + n <= ids.size(); ++i) {
      uint64_t key = 1469598103934665603ull ^ n;
      for (size_t k = 0; k < n; ++k) key = (key ^ ids[i + k]) * 1099511628211ull;
      if (!seen.insert(key).second) continue;
      ASSIGN_OR_RETURN(
          NgramFindResult found,
          ctx.ngram->Find(std::span<const uint32_t>(ids.data() + i, n), max_occ + 1, max_occ + 1));
      if (found.total == 0) continue;
      if (found.total > max_occ) {
        ++common;
        continue;
      }
      const double weight = n_weight / static_cast<double>(found.total);
      const std::string detail = std::to_string(n) + "-gram '" +
                                 SpanText(text, tokens[i].begin, tokens[i + n - 1].end) + "'";
      for (const NgramHit& hit : found.hits) {
        if (ctx.IsOwn(hit.path, hit.line, hit.line)) continue;
        files.Add(hit.path, weight, detail);
        LineHit& lh = lines[{hit.path, hit.line}];
        lh.score += weight;
        if (weight > lh.best) {
          lh.best = weight;
          lh.detail = detail;
        }
      }
    }
  }
  out.files = files.Ranked(Signal::kNgram, ctx.options->signal_files);

  // The best lines (grouped by chunk) become candidates.
  std::vector<std::pair<double, std::pair<std::string, uint32_t>>> best;
  for (const auto& [where, lh] : lines) best.push_back({lh.score, where});
  std::sort(best.begin(), best.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  std::vector<ScoredChunk> chunks;
  absl::flat_hash_map<int64_t, size_t> by_chunk;
  for (const auto& [score, where] : best) {
    if (chunks.size() >= ctx.options->max_candidates * 2) break;
    ASSIGN_OR_RETURN(std::optional<ChunkHit> chunk, ctx.store->ChunkAt(where.first, where.second));
    if (!chunk) continue;
    auto [it, inserted] = by_chunk.try_emplace(chunk->chunk_id, chunks.size());
    if (inserted) {
      chunks.push_back({std::move(*chunk), score, lines[where].detail});
    } else {
      chunks[it->second].score += score;
    }
  }
  AddCandidates(ctx, Signal::kNgram, std::move(chunks), &out.candidates);
  if (common > 0) out.note = absl::StrFormat("%d common n-grams skipped", common);
  return out;
}

// ---- text: BM25 over chunk text with the request's most specific terms
// ---------------------------

absl::StatusOr<SignalOutput> RunTextSignal(const SignalContext& ctx) {
  SignalOutput out;
  out.files.signal = Signal::kText;
  // Candidate FTS terms: each identifier whole (the tokenizer's colocated whole-run token,
  // lowercase without underscores) and its parts, weighted by the identifier's weight.
  absl::flat_hash_map<std::string, double> weight_of;
  for (const QueryTerm& term : *ctx.terms) {
    std::vector<CodeToken> parts = CodeTokenize(term.word, /*for_document=*/false);
    if (parts.empty()) continue;
    std::string whole;
    for (const CodeToken& p : parts) whole += p.text;
    double& w = weight_of[whole];
    w = std::max(w, term.weight);
    if (parts.size() > 1) {
      for (const CodeToken& p : parts) {
        if (p.text.size() < 3) continue;
        double& pw = weight_of[p.text];
        pw = std::max(pw, term.weight * 0.3);
      }
    }
  }
  std::vector<std::string> terms;
  for (const auto& [t, w] : weight_of) terms.push_back(t);
  std::sort(terms.begin(), terms.end());
  if (terms.empty()) {
    out.note = "no terms";
    return out;
  }
  // Chunk frequencies: fts5vocab reads a term's whole doclist to count it (milliseconds for common
  // terms), so counts are cached per workspace memory; common terms recur in every request.
  std::vector<std::string> missing;
  for (const std::string& t : terms) {
    if (!ctx.term_docs->contains(t)) missing.push_back(t);
  }
  if (!missing.empty()) {
    ASSIGN_OR_RETURN(std::vector<int64_t> fresh, ctx.store->TermChunkCounts(missing));
    for (size_t i = 0; i < missing.size(); ++i) (*ctx.term_docs)[missing[i]] = fresh[i];
  }
  std::vector<int64_t> counts;
  counts.reserve(terms.size());
  for (const std::string& t : terms) counts.push_back(ctx.term_docs->at(t));
  ASSIGN_OR_RETURN(int64_t total, ctx.store->ChunkCount());
  const double max_df = std::max(static_cast<double>(ctx.options->text_min_common_chunks),
                                 static_cast<double>(total) * ctx.options->text_max_chunk_share);
  std::vector<std::pair<double, std::string>> ranked;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (counts[i] <= 0 || static_cast<double>(counts[i]) > max_df) continue;
    const double idf = std::log(1.0 + static_cast<double>(total) / static_cast<double>(counts[i]));
    ranked.push_back({weight_of[terms[i]] * idf, terms[i]});
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  if (ranked.size() > ctx.options->text_terms) ranked.resize(ctx.options->text_terms);
  std::vector<std::string> query_terms;
  for (auto& [w, t] : ranked) query_terms.push_back(t);
  if (query_terms.empty()) {
    out.note = "all terms too common or absent";
    return out;
  }
  ASSIGN_OR_RETURN(std::vector<ChunkHit> hits,
                   ctx.store->RankChunks(query_terms, ctx.options->text_chunks));
  std::vector<ScoredChunk> chunks;
  for (ChunkHit& hit : hits) {
    if (ctx.IsOwn(hit.path, hit.start_line, hit.end_line)) continue;
    // Which query terms the chunk holds (lowercased text, identifiers without underscores).
    std::string folded;
    for (char c : Lower(hit.text)) {
      if (c != '_') folded.push_back(c);
    }
    std::string detail = absl::StrFormat("bm25 %.2f:", hit.score);
    int shown = 0;
    for (const std::string& t : query_terms) {
      if (shown < 4 && folded.find(t) != std::string::npos) {
        detail += " " + t;
        ++shown;
      }
    }
    const double score = hit.score;
    chunks.push_back({std::move(hit), score, std::move(detail)});
  }
  // A file's score is its best chunk's: several weak chunks do not beat one strong one.
  absl::flat_hash_map<std::string, std::pair<double, std::string>> best;
  for (const ScoredChunk& c : chunks) {
    auto [it, inserted] = best.try_emplace(c.chunk.path, c.score, c.detail);
    if (!inserted && c.score > it->second.first) it->second = {c.score, c.detail};
  }
  FileTally by_best;
  for (const auto& [path, sd] : best) by_best.Add(path, sd.first, sd.second);
  out.files = by_best.Ranked(Signal::kText, ctx.options->signal_files);
  AddCandidates(ctx, Signal::kText, std::move(chunks), &out.candidates);
  return out;
}

// ---- repo map: personalized PageRank over the symbol graph
// ---------------------------------------

absl::StatusOr<SignalOutput> RunRepoMapSignal(const SignalContext& ctx, size_t map_budget) {
  SignalOutput out;
  out.files.signal = Signal::kRepoMap;
  if (ctx.graph == nullptr) {
    out.note = "symbol graph not built";
    return out;
  }
  RepoMapSeeds seeds;
  if (!ctx.query->current_file.empty()) seeds.files.push_back({ctx.query->current_file, 1.0});
  for (const std::string& f : ctx.query->files) seeds.files.push_back({f, 1.0});
  double max_weight = 0;
  for (const QueryTerm& t : *ctx.terms) max_weight = std::max(max_weight, t.weight);
  // The strongest identifiers only: each seeds its defining and referencing files, and a push's
  // cost grows with the seeded mass spread over many nodes.
  for (const QueryTerm& t : *ctx.terms) {
    if (seeds.identifiers.size() >= ctx.options->repo_map_identifiers) break;
    seeds.identifiers.push_back({t.word, max_weight > 0 ? t.weight / max_weight : 1.0});
  }
  const size_t limit = ctx.options->signal_files;
  // Definitions for the map: about one per 15 tokens of its budget (a signature line costs 10-20).
  const size_t map_definitions = std::min<size_t>(300, map_budget / 15);
  RepoMapRanking ranked = ctx.graph->Rank(seeds, limit + 1, map_definitions);
  for (const RankedFile& f : ranked.files) {
    if (f.path == ctx.query->current_file) continue;
    if (out.files.files.size() >= limit) break;
    out.files.files.push_back({f.path, f.score, absl::StrFormat("pagerank %.4f", f.score)});
  }
  if (map_budget > 0) {
    auto map = RenderRepoMap(ranked.definitions, map_budget, *ctx.tokenizer);
    if (!map.text.empty()) {
      ContextItem item;
      item.kind = ContextItem::Kind::kRepoMap;
      item.text = std::move(map.text);
      item.reasons.push_back(Reason{
          Signal::kRepoMap, 1, 0,
          absl::StrFormat("top %d definitions by personalized PageRank", map.definitions.size())});
      out.repo_map = std::move(item);
    }
  }
  return out;
}

// ---- history: co-change with the seed files, recency
// ---------------------------------------------

absl::StatusOr<SignalOutput> RunCoChangeSignal(const SignalContext& ctx) {
  SignalOutput out;
  std::vector<std::string> seeds = ctx.query->files;
  if (!ctx.query->current_file.empty()) seeds.insert(seeds.begin(), ctx.query->current_file);
  FileTally files;
  bool any = false;
  for (const std::string& seed : seeds) {
    ASSIGN_OR_RETURN(std::vector<CoChange> pairs, ctx.store->CoChanged(seed, 50));
    for (const CoChange& p : pairs) {
      const std::string& other = p.path_a == seed ? p.path_b : p.path_a;
      if (other == ctx.query->current_file) continue;
      any = true;
      files.Add(other, p.count, absl::StrFormat("changed with %s in %d commits", seed, p.count));
    }
  }
  out.files = files.Ranked(Signal::kCoChange, ctx.options->signal_files);
  if (seeds.empty()) {
    out.note = "no seed files";
  } else if (!any) {
    out.note = "no co-change history for the seed files";
  }
  return out;
}

absl::StatusOr<SignalOutput> RunRecencySignal(const SignalContext& ctx,
                                              const std::vector<std::string>& candidates) {
  SignalOutput out;
  out.files.signal = Signal::kRecency;
  struct Dated {
    std::string path;
    int64_t time;
    uint32_t commits;
  };
  std::vector<Dated> dated;
  for (const std::string& path : candidates) {
    ASSIGN_OR_RETURN(std::optional<FileChurn> churn, ctx.store->FileHistory(path));
    if (churn) dated.push_back({path, churn->last_change_time, churn->commits});
  }
  std::sort(dated.begin(), dated.end(), [](const Dated& a, const Dated& b) {
    if (a.time != b.time) return a.time > b.time;
    if (a.commits != b.commits) return a.commits > b.commits;
    return a.path < b.path;
  });
  for (const Dated& d : dated) {
    out.files.files.push_back({d.path, static_cast<double>(d.time),
                               absl::StrFormat("changed %d times, last at %d", d.commits, d.time)});
  }
  if (dated.empty()) out.note = "no history for the candidate files";
  return out;
}

}  // namespace engram::repo_index
