// IndexStore: the queries the project memory (repo_index/query/) asks of the index: term statistics
// and OR-ranked chunks for BM25, chunk by line, per-file history.
#include <string>
#include <vector>

#include "repo_index/store/index_store.h"
#include "repo_index/store/sqlite.h"
#include "repo_index/store/store_internal.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

using internal::FirstKey;
using internal::ForEachRow;
using internal::LastKey;

// An FTS5 string literal: the term in double quotes, inner quotes doubled (no operator can leak
// in).
void AppendQuotedTerm(std::string* out, std::string_view term) {
  out->push_back('"');
  for (char c : term) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> IndexStore::TermChunkCounts(
    const std::vector<std::string>& terms) {
  SqliteStmt& st = stmts_->term_docs;
  std::vector<int64_t> counts;
  counts.reserve(terms.size());
  for (const std::string& term : terms) {
    int64_t count = 0;
    st.Bind(1, term);
    RETURN_IF_ERROR(ForEachRow(st, [&] {
      count = st.ColumnInt64(0);
      return absl::OkStatus();
    }));
    counts.push_back(count);
  }
  return counts;
}

absl::StatusOr<int64_t> IndexStore::ChunkCount() {
  // count(*) over chunks would read every page of chunk text. FTS5 keeps the row count for bm25 in
  // its "averages" record (id 1 of the %_data table): a varint row count, then one varint per
  // column (SQLite's varint: big-endian groups of 7 bits, high bit = more, the 9th byte holds 8
  // bits).
  SqliteStmt& st = stmts_->fts_averages;
  std::string block;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    block = std::string(st.ColumnBlob(0));
    return absl::OkStatus();
  }));
  uint64_t value = 0;
  for (size_t i = 0; i < block.size() && i < 9; ++i) {
    const auto byte = static_cast<unsigned char>(block[i]);
    if (i == 8) {
      value = (value << 8) | byte;
      break;
    }
    value = (value << 7) | (byte & 0x7f);
    if ((byte & 0x80) == 0) break;
  }
  return static_cast<int64_t>(value);
}

absl::StatusOr<std::vector<ChunkHit>> IndexStore::RankChunks(const std::vector<std::string>& terms,
                                                             int limit) {
  std::vector<ChunkHit> hits;
  if (terms.empty() || limit <= 0) return hits;
  std::string expr;
  for (const std::string& term : terms) {
    if (term.empty()) continue;
    if (!expr.empty()) expr += " OR ";
    AppendQuotedTerm(&expr, term);
  }
  if (expr.empty()) return hits;
  ASSIGN_OR_RETURN(
      SqliteStmt st,
      db_->Prepare("SELECT r.id, r.score, f.path, c.start_line, c.end_line, c.scope, c.text FROM ("
                   "  SELECT rowid AS id, bm25(chunks_fts) AS score FROM chunks_fts "
                   "  WHERE chunks_fts MATCH ?1 ORDER BY rank LIMIT ?2) r "
                   "CROSS JOIN chunks c ON c.id = r.id CROSS JOIN files f ON f.id = (r.id >> 24) "
                   "ORDER BY r.score, f.path, c.start_line"));
  st.Bind(1, expr).Bind(2, int64_t{limit});
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    ChunkHit hit;
    hit.chunk_id = st.ColumnInt64(0);
    hit.score = -st.ColumnDouble(1);
    hit.path = std::string(st.ColumnText(2));
    hit.start_line = static_cast<uint32_t>(st.ColumnInt64(3));
    hit.end_line = static_cast<uint32_t>(st.ColumnInt64(4));
    hit.scope = std::string(st.ColumnText(5));
    hit.text = std::string(st.ColumnText(6));
    hits.push_back(std::move(hit));
    return absl::OkStatus();
  }));
  return hits;
}

absl::StatusOr<std::optional<ChunkHit>> IndexStore::ChunkAt(std::string_view path, uint32_t line) {
  ASSIGN_OR_RETURN(std::optional<int64_t> file_id, LookupFileId(path));
  std::optional<ChunkHit> out;
  if (!file_id) return out;
  SqliteStmt& st = stmts_->chunk_at_line;
  st.Bind(1, FirstKey(*file_id)).Bind(2, LastKey(*file_id)).Bind(3, int64_t{line});
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    ChunkHit hit;
    hit.chunk_id = st.ColumnInt64(0);
    hit.path = std::string(path);
    hit.start_line = static_cast<uint32_t>(st.ColumnInt64(1));
    hit.end_line = static_cast<uint32_t>(st.ColumnInt64(2));
    hit.scope = std::string(st.ColumnText(3));
    hit.text = std::string(st.ColumnText(4));
    out = std::move(hit);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<int64_t> IndexStore::CountSymbolsNamed(std::string_view name, int64_t cap) {
  ASSIGN_OR_RETURN(std::optional<int64_t> name_id, LookupName(name));
  if (!name_id) return 0;
  SqliteStmt& st = stmts_->count_named;
  st.Bind(1, *name_id).Bind(2, cap);
  int64_t count = 0;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    count = st.ColumnInt64(0);
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<std::optional<FileChurn>> IndexStore::FileHistory(std::string_view path) {
  SqliteStmt& st = stmts_->file_history;
  st.Bind(1, path);
  std::optional<FileChurn> out;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    FileChurn c;
    c.path = std::string(path);
    c.commits = static_cast<uint32_t>(st.ColumnInt64(0));
    c.lines_added = static_cast<uint64_t>(st.ColumnInt64(1));
    c.lines_deleted = static_cast<uint64_t>(st.ColumnInt64(2));
    c.last_change_time = st.ColumnInt64(3);
    c.last_commit = std::string(st.ColumnText(4));
    out = std::move(c);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace engram::repo_index
