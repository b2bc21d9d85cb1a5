// IndexStore: symbol, reference and full-text queries (index_store.cc has opening and writes).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <utility>

#include "repo_index/store/code_tokenizer.h"
#include "repo_index/store/fuzzy_match.h"
#include "repo_index/store/index_store.h"
#include "repo_index/store/sqlite.h"
#include "repo_index/store/store_internal.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

using internal::FirstKey;
using internal::ForEachRow;
using internal::kSeqBits;
using internal::LastKey;
using internal::Num;
using internal::RowKey;

constexpr size_t kMaxLineText = 200;

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// "a::b.c" → "a.b.c": qualified names compare with one separator.
std::string NormalizeQualified(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      out.push_back('.');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The last component of a qualified name ("net::Http::parse" → "parse"), or `s` when unqualified.
std::string_view LastComponent(std::string_view s) {
  size_t colon = s.rfind("::");
  size_t dot = s.rfind('.');
  size_t cut = std::string_view::npos;
  size_t skip = 0;
  if (colon != std::string_view::npos && (dot == std::string_view::npos || colon + 1 > dot)) {
    cut = colon;
    skip = 2;
  } else if (dot != std::string_view::npos) {
    cut = dot;
    skip = 1;
  }
  if (cut == std::string_view::npos || cut + skip >= s.size()) return s;
  return s.substr(cut + skip);
}

std::string_view TrimView(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n'))
    --e;
  return s.substr(b, e - b);
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// The line of `text` holding byte `pos`, trimmed and cut to kMaxLineText bytes.
std::string LineAt(std::string_view text, size_t pos) {
  if (pos > text.size()) return "";
  size_t begin = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  begin = (begin == std::string_view::npos || (pos == 0 && text[0] != '\n')) ? 0 : begin + 1;
  if (pos < text.size() && text[pos] == '\n' && begin > pos) begin = pos;
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  return std::string(CutUtf8(TrimView(text.substr(begin, end - begin)), kMaxLineText));
}

// A MATCH expression for free text: each whitespace-separated term quoted (so FTS5 operators and
// punctuation are data), implicitly AND-ed; a trailing '*' on a term keeps its prefix meaning.
// Terms the tokenizer reduces to nothing are dropped. Empty when nothing is searchable.
std::string BuildMatchExpression(std::string_view query) {
  std::string expr;
  size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && std::isspace(static_cast<unsigned char>(query[i]))) ++i;
    size_t start = i;
    while (i < query.size() && !std::isspace(static_cast<unsigned char>(query[i]))) ++i;
    std::string_view term = query.substr(start, i - start);
    bool prefix = false;
    while (!term.empty() && term.back() == '*') {
      term.remove_suffix(1);
      prefix = true;
    }
    if (term.empty() || CodeTokenize(term, /*for_document=*/false).empty()) continue;
    if (!expr.empty()) expr.push_back(' ');
    expr.push_back('"');
    for (char c : term) {
      if (c == '"') expr.push_back('"');
      expr.push_back(c);
    }
    expr.push_back('"');
    if (prefix) expr.push_back('*');
  }
  return expr;
}

// A snippet from highlight() output with \x01 / \x02 around matched tokens: the line with the most
// matches and its neighbours, markers turned into [ ].
std::string MakeSnippet(std::string_view highlighted) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= highlighted.size()) {
    size_t end = highlighted.find('\n', start);
    if (end == std::string_view::npos) end = highlighted.size();
    lines.push_back(highlighted.substr(start, end - start));
    start = end + 1;
  }
  size_t best = 0;
  long best_count = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    long count = std::count(lines[i].begin(), lines[i].end(), '\x01');
    if (count > best_count) {
      best_count = count;
      best = i;
    }
  }
  size_t first = best == 0 ? 0 : best - 1;
  size_t last = std::min(lines.size() - 1, best + 1);
  std::string out;
  for (size_t i = first; i <= last; ++i) {
    std::string_view line = lines[i];
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    line = CutUtf8(line, 400);
    if (!out.empty()) out.push_back('\n');
    for (char c : line) out.push_back(c == '\x01' ? '[' : c == '\x02' ? ']' : c);
  }
  // A marker cut off by the length limit leaves an unbalanced '['; close it.
  long open = std::count(out.begin(), out.end(), '[') - std::count(out.begin(), out.end(), ']');
  if (open > 0 && best_count > 0) out.append(static_cast<size_t>(open), ']');
  return out;
}

}  // namespace

// ---- symbol queries --------------------------------------------------------------------------

namespace {

SymbolHit ReadSymbol(const SqliteStmt& st) {
  SymbolHit hit;
  hit.symbol_id = st.ColumnInt64(0);
  hit.path = std::string(st.ColumnText(1));
  Symbol& s = hit.symbol;
  s.name = std::string(st.ColumnText(2));
  s.kind = static_cast<SymbolKind>(st.ColumnInt64(3));
  auto u32 = [&](int col) { return static_cast<uint32_t>(st.ColumnInt64(col)); };
  s.range = {u32(4), u32(5), u32(6), u32(7), u32(8), u32(9)};
  s.name_range = {u32(10), u32(11), u32(12), u32(13), u32(14), u32(15)};
  s.qualified_name = st.ColumnIsNull(16) ? s.name : std::string(st.ColumnText(16));
  s.signature = std::string(st.ColumnText(17));
  s.doc = std::string(st.ColumnText(18));
  s.parent = -1;
  return hit;
}

// Does `qualified` (normalized) equal `query` (normalized) or end with it at a component boundary?
bool QualifiedMatches(std::string_view qualified, std::string_view query) {
  if (qualified.size() < query.size()) return false;
  if (qualified.substr(qualified.size() - query.size()) != query) return false;
  return qualified.size() == query.size() || qualified[qualified.size() - query.size() - 1] == '.';
}

}  // namespace

absl::StatusOr<std::vector<SymbolHit>> IndexStore::SymbolsByName(int64_t name_id, int limit) {
  std::vector<SymbolHit> hits;
  SqliteStmt& st = limit >= 0 ? stmts_->symbols_by_name : stmts_->symbols_by_name_all;
  st.Bind(1, name_id);
  if (limit >= 0) st.Bind(2, int64_t{limit});
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    hits.push_back(ReadSymbol(st));
    return absl::OkStatus();
  }));
  return hits;
}

absl::StatusOr<std::vector<SymbolHit>> IndexStore::FindQualified(std::string_view qualified,
                                                                 int limit) {
  std::string_view last = LastComponent(qualified);
  if (last.size() == qualified.size()) return std::vector<SymbolHit>{};
  ASSIGN_OR_RETURN(std::optional<int64_t> id, LookupName(last));
  if (!id) return std::vector<SymbolHit>{};
  ASSIGN_OR_RETURN(std::vector<SymbolHit> all, SymbolsByName(*id, -1));
  const std::string query = NormalizeQualified(qualified);
  std::vector<SymbolHit> hits;
  for (SymbolHit& hit : all) {
    if (static_cast<int>(hits.size()) >= limit) break;
    if (QualifiedMatches(NormalizeQualified(hit.symbol.qualified_name), query)) {
      hit.score = 1;
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

absl::StatusOr<std::vector<SymbolHit>> IndexStore::FindPrefix(std::string_view prefix, int limit) {
  const std::string lower = AsciiLower(prefix);
  struct Candidate {
    int64_t id;
    std::string name;
    double score;
  };
  std::vector<Candidate> candidates;
  SqliteStmt& st = stmts_->names_by_prefix;
  st.Bind(1, lower).Bind(2, lower + "\xff");
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    std::string_view name = st.ColumnText(1);
    double score = 1.0 / static_cast<double>(1 + name.size() - prefix.size());
    if (name.substr(0, prefix.size()) == prefix) score += 1;  // same case
    if (name == prefix) score += 2;
    candidates.push_back({st.ColumnInt64(0), std::string(name), score});
    return absl::OkStatus();
  }));
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.name < b.name;
  });
  std::vector<SymbolHit> hits;
  for (const Candidate& c : candidates) {
    int left = limit - static_cast<int>(hits.size());
    if (left <= 0) break;
    ASSIGN_OR_RETURN(std::vector<SymbolHit> found, SymbolsByName(c.id, left));
    for (SymbolHit& hit : found) {
      hit.score = c.score;
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

absl::Status IndexStore::EnsureFuzzy() {
  std::string generation;
  ASSIGN_OR_RETURN(std::optional<std::string> stored, GetMeta("symbols_generation"));
  if (stored) generation = *stored;
  if (fuzzy_->valid && fuzzy_->generation == generation &&
      !(write_->in_transaction && write_->symbols_changed)) {
    return absl::OkStatus();
  }
  fuzzy_->valid = false;
  fuzzy_->names.Clear();
  SqliteStmt& st = stmts_->fuzzy_names;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    fuzzy_->names.Add(st.ColumnInt64(0), st.ColumnText(1));
    return absl::OkStatus();
  }));
  fuzzy_->generation = generation;
  fuzzy_->valid = !(write_->in_transaction && write_->symbols_changed);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SymbolHit>> IndexStore::FindFuzzy(std::string_view pattern, int limit) {
  RETURN_IF_ERROR(EnsureFuzzy());
  std::vector<FuzzyMatch> matches = fuzzy_->names.Top(pattern, static_cast<size_t>(limit));
  std::vector<SymbolHit> hits;
  for (const FuzzyMatch& m : matches) {
    int left = limit - static_cast<int>(hits.size());
    if (left <= 0) break;
    ASSIGN_OR_RETURN(std::vector<SymbolHit> found, SymbolsByName(m.id, left));
    for (SymbolHit& hit : found) {
      hit.score = m.score;
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

absl::StatusOr<std::vector<SymbolHit>> IndexStore::FindSymbols(std::string_view name,
                                                               NameMatch match, int limit) {
  if (name.empty() || limit <= 0) return std::vector<SymbolHit>{};
  switch (match) {
    case NameMatch::kExact: {
      ASSIGN_OR_RETURN(std::optional<int64_t> id, LookupName(name));
      if (id) {
        ASSIGN_OR_RETURN(std::vector<SymbolHit> hits, SymbolsByName(*id, limit));
        if (!hits.empty()) {
          for (SymbolHit& hit : hits) hit.score = 1;
          return hits;
        }
      }
      return FindQualified(name, limit);
    }
    case NameMatch::kPrefix:
      return FindPrefix(name, limit);
    case NameMatch::kFuzzy:
      return FindFuzzy(name, limit);
  }
  return std::vector<SymbolHit>{};
}

absl::StatusOr<std::vector<SymbolHit>> IndexStore::Outline(std::string_view path) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, LookupFileId(path));
  std::vector<SymbolHit> hits;
  if (!id) return hits;
  SqliteStmt& st = stmts_->symbols_of_file;
  st.Bind(1, FirstKey(*id)).Bind(2, LastKey(*id));
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    hits.push_back(ReadSymbol(st));
    return absl::OkStatus();
  }));
  return hits;
}

// ---- references and text -----------------------------------------------------------------------

absl::StatusOr<std::vector<ReferenceHit>> IndexStore::FindReferences(std::string_view name,
                                                                     int limit) {
  std::vector<ReferenceHit> hits;
  if (name.empty() || limit <= 0) return hits;
  ASSIGN_OR_RETURN(std::optional<int64_t> id, LookupName(name));
  if (!id) {
    std::string_view last = LastComponent(name);
    if (last.size() == name.size()) return hits;
    ASSIGN_OR_RETURN(id, LookupName(last));
    if (!id) return hits;
    name = last;
  }
  struct Pending {
    int64_t file_id;
    int64_t enclosing;
  };
  std::vector<Pending> pending;
  SqliteStmt& st = stmts_->refs_by_name;
  st.Bind(1, *id).Bind(2, int64_t{limit});
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    ReferenceHit hit;
    hit.path = std::string(st.ColumnText(0));
    Reference& r = hit.reference;
    r.name = std::string(name);
    r.kind = static_cast<ReferenceKind>(st.ColumnInt64(2));
    r.enclosing = -1;
    int64_t line = st.ColumnInt64(4);
    int64_t start_byte = st.ColumnInt64(8);
    r.range.start_line = static_cast<uint32_t>(line);
    r.range.start_column = static_cast<uint32_t>(st.ColumnInt64(5));
    r.range.end_line = static_cast<uint32_t>(line + st.ColumnInt64(6));
    r.range.end_column = static_cast<uint32_t>(st.ColumnInt64(7));
    r.range.start_byte = static_cast<uint32_t>(start_byte);
    r.range.end_byte = static_cast<uint32_t>(start_byte + st.ColumnInt64(9));
    pending.push_back({st.ColumnInt64(1), st.ColumnIsNull(3) ? -1 : st.ColumnInt64(3)});
    hits.push_back(std::move(hit));
    return absl::OkStatus();
  }));
  for (size_t i = 0; i < hits.size(); ++i) {
    if (pending[i].enclosing >= 0) {
      SqliteStmt& enc = stmts_->enclosing_name;
      enc.Bind(1, RowKey(pending[i].file_id, pending[i].enclosing));
      RETURN_IF_ERROR(ForEachRow(enc, [&] {
        hits[i].enclosing_qualified = std::string(enc.ColumnText(0));
        return absl::OkStatus();
      }));
    }
    SqliteStmt& chunk = stmts_->chunk_at;
    const int64_t byte = hits[i].reference.range.start_byte;
    chunk.Bind(1, FirstKey(pending[i].file_id)).Bind(2, LastKey(pending[i].file_id)).Bind(3, byte);
    RETURN_IF_ERROR(ForEachRow(chunk, [&] {
      int64_t offset = byte - chunk.ColumnInt64(0);
      std::string_view text = chunk.ColumnText(1);
      if (offset >= 0 && static_cast<size_t>(offset) < text.size()) {
        hits[i].line_text = LineAt(text, static_cast<size_t>(offset));
      }
      return absl::OkStatus();
    }));
  }
  return hits;
}

absl::StatusOr<std::vector<TextHit>> IndexStore::SearchText(std::string_view query, int limit) {
  std::vector<TextHit> hits;
  if (limit <= 0) return hits;
  const std::string expr = BuildMatchExpression(query);
  if (expr.empty()) return hits;

  struct Ranked {
    int64_t id;
    double score;
    TextHit hit;
  };
  std::vector<Ranked> ranked;
  auto collect = [&](SqliteStmt& st) -> absl::Status {
    ranked.clear();
    return ForEachRow(st, [&] {
      ranked.push_back({st.ColumnInt64(0), -st.ColumnDouble(1), {}});
      return absl::OkStatus();
    });
  };
  // The best limit+1 by rank; when the last two tie, the cut is arbitrary, so rank everything.
  SqliteStmt& top = stmts_->fts_top;
  top.Bind(1, expr).Bind(2, int64_t{limit} + 1);
  RETURN_IF_ERROR(collect(top));
  if (static_cast<int>(ranked.size()) > limit && ranked[limit].score == ranked[limit - 1].score) {
    SqliteStmt& all = stmts_->fts_all;
    all.Bind(1, expr);
    RETURN_IF_ERROR(collect(all));
  }
  // Details for the candidates (all of them only in the tie case above).
  for (Ranked& r : ranked) {
    SqliteStmt& row = stmts_->chunk_row;
    row.Bind(1, r.id);
    RETURN_IF_ERROR(ForEachRow(row, [&] {
      r.hit.path = std::string(row.ColumnText(0));
      r.hit.chunk.start_line = static_cast<uint32_t>(row.ColumnInt64(1));
      r.hit.chunk.end_line = static_cast<uint32_t>(row.ColumnInt64(2));
      r.hit.chunk.start_byte = static_cast<uint32_t>(row.ColumnInt64(3));
      r.hit.chunk.end_byte = static_cast<uint32_t>(row.ColumnInt64(4));
      r.hit.chunk.scope_path = std::string(row.ColumnText(5));
      r.hit.chunk.symbol = -1;
      return absl::OkStatus();
    }));
    r.hit.score = r.score;
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.hit.path != b.hit.path) return a.hit.path < b.hit.path;
    return a.hit.chunk.start_line < b.hit.chunk.start_line;
  });
  if (static_cast<int>(ranked.size()) > limit) ranked.resize(static_cast<size_t>(limit));
  for (Ranked& r : ranked) {
    SqliteStmt& hl = stmts_->fts_highlight;
    hl.Bind(1, expr).Bind(2, r.id);
    RETURN_IF_ERROR(ForEachRow(hl, [&] {
      r.hit.snippet = MakeSnippet(hl.ColumnText(0));
      return absl::OkStatus();
    }));
    hits.push_back(std::move(r.hit));
  }
  return hits;
}

}  // namespace engram::repo_index
