#include "repo_index/store/index_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "repo_index/store/code_tokenizer.h"
#include "repo_index/store/fuzzy_match.h"
#include "repo_index/store/schema.h"
#include "repo_index/store/sqlite.h"
#include "repo_index/store/store_internal.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

using internal::FirstKey;
using internal::ForEachRow;
using internal::kMaxSeq;
using internal::kSeqBits;
using internal::LastKey;
using internal::Num;
using internal::RowKey;

// The writer keeps every name's id in memory (loaded at its first write) so that a name it has not
// seen is known to be new without a lookup; past this many names it falls back to a lookup per
// miss.
constexpr size_t kNameCacheLimit = 8u << 20;
constexpr int64_t kWriterCacheKib = 262144;  // 256 MiB page cache for the writing connection

// Columns of a symbol hit, in the order ReadSymbol expects.
constexpr std::string_view kSymbolColumns =
    "SELECT s.id, f.path, n.name, s.kind, s.start_line, s.start_col, s.end_line, s.end_col, "
    "s.start_byte, s.end_byte, s.name_line, s.name_col, s.name_end_line, s.name_end_col, "
    "s.name_start_byte, s.name_end_byte, s.qualified, s.signature, s.doc "
    "FROM symbols s CROSS JOIN files f ON f.id = (s.id >> 24) "
    "CROSS JOIN names n ON n.id = s.name_id ";

absl::Status Invalid(std::string_view path, const std::string& what) {
  return absl::InvalidArgumentError("index: " + std::string(path) + ": " + what);
}

absl::Status ValidateFacts(const FileRecord& record, const FileFacts& facts,
                           std::string_view content,
                           const std::vector<std::optional<std::string>>& resolved) {
  if (record.path.empty()) return absl::InvalidArgumentError("index: file record without a path");
  const int64_t n_symbols = static_cast<int64_t>(facts.symbols.size());
  for (size_t count :
       {facts.symbols.size(), facts.references.size(), facts.imports.size(), facts.chunks.size()}) {
    if (static_cast<int64_t>(count) > kMaxSeq) {
      return Invalid(record.path, "more than " + Num(kMaxSeq) + " facts of one kind");
    }
  }
  for (size_t i = 0; i < facts.symbols.size(); ++i) {
    int32_t parent = facts.symbols[i].parent;
    if (parent < -1 || parent >= n_symbols || parent == static_cast<int32_t>(i)) {
      return Invalid(record.path, "symbol " + Num(static_cast<int64_t>(i)) + " has parent " +
                                      Num(parent) + " out of range");
    }
  }
  for (size_t i = 0; i < facts.references.size(); ++i) {
    int32_t enclosing = facts.references[i].enclosing;
    if (enclosing < -1 || enclosing >= n_symbols) {
      return Invalid(record.path, "reference " + Num(static_cast<int64_t>(i)) +
                                      " has enclosing symbol " + Num(enclosing) + " out of range");
    }
  }
  for (size_t i = 0; i < facts.chunks.size(); ++i) {
    const Chunk& c = facts.chunks[i];
    if (c.start_byte > c.end_byte || c.end_byte > content.size()) {
      return Invalid(record.path, "chunk " + Num(static_cast<int64_t>(i)) + " bytes [" +
                                      Num(c.start_byte) + ", " + Num(c.end_byte) +
                                      ") outside the content (" +
                                      Num(static_cast<int64_t>(content.size())) + " bytes)");
    }
    if (c.symbol < -1 || c.symbol >= n_symbols) {
      return Invalid(record.path, "chunk " + Num(static_cast<int64_t>(i)) + " has symbol " +
                                      Num(c.symbol) + " out of range");
    }
  }
  if (!resolved.empty() && resolved.size() != facts.imports.size()) {
    return Invalid(record.path, "resolved has " + Num(static_cast<int64_t>(resolved.size())) +
                                    " entries for " +
                                    Num(static_cast<int64_t>(facts.imports.size())) + " imports");
  }
  return absl::OkStatus();
}

void BindOptionalText(SqliteStmt& st, int index, std::string_view text, bool null) {
  if (null) {
    st.BindNull(index);
  } else {
    st.BindStatic(index, text);
  }
}

}  // namespace

template <typename Body>
absl::Status IndexStore::InTransaction(Body body) {
  if (write_->in_transaction) return body();
  RETURN_IF_ERROR(Begin());
  absl::Status status = body();
  if (status.ok()) status = Commit();
  if (!status.ok()) (void)Rollback();
  return status;
}

// ---- open ------------------------------------------------------------------------------------

IndexStore::IndexStore(std::unique_ptr<SqliteDb> db, std::string path)
    : db_(std::move(db)),
      path_(std::move(path)),
      stmts_(std::make_unique<Statements>()),
      fuzzy_(std::make_unique<FuzzyCache>()),
      write_(std::make_unique<WriteState>()) {}

IndexStore::~IndexStore() {
  if (write_ && write_->in_transaction) (void)db_->Exec("ROLLBACK");
  stmts_.reset();
}

absl::StatusOr<std::unique_ptr<IndexStore>> IndexStore::Open(const std::string& db_path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                   SqliteDb::Open(db_path, SqliteDb::Mode::kReadWriteCreate, /*enable_wal=*/false));
  // Refuse before the first write (the WAL switch): a newer or foreign database stays untouched.
  ASSIGN_OR_RETURN(int version, ReadSchemaVersion(*db));
  if (version > kIndexSchemaVersion) return CheckSchemaCurrent(*db);
  RETURN_IF_ERROR(db->EnableWal());
  RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -" + Num(kWriterCacheKib)));
  RETURN_IF_ERROR(MigrateIndexSchema(*db));
  RETURN_IF_ERROR(EnsureDeferredIndexes(*db));  // repairs a bulk load cut short
  std::unique_ptr<IndexStore> store(new IndexStore(std::move(db), db_path));
  RETURN_IF_ERROR(store->Prepare());
  return store;
}

absl::Status IndexStore::BeginBulkLoad() {
  if (write_->in_transaction) {
    return absl::FailedPreconditionError("index: " + path_ + ": bulk load inside a transaction");
  }
  return DropDeferredIndexes(*db_);
}

absl::Status IndexStore::EndBulkLoad() {
  if (write_->in_transaction) {
    return absl::FailedPreconditionError("index: " + path_ + ": bulk load end inside a transaction");
  }
  return EnsureDeferredIndexes(*db_);
}

absl::StatusOr<std::unique_ptr<IndexStore>> IndexStore::OpenReadOnly(const std::string& db_path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                   SqliteDb::Open(db_path, SqliteDb::Mode::kReadOnly));
  RETURN_IF_ERROR(CheckSchemaCurrent(*db));
  std::unique_ptr<IndexStore> store(new IndexStore(std::move(db), db_path));
  store->read_only_ = true;
  RETURN_IF_ERROR(store->Prepare());
  return store;
}

absl::Status IndexStore::Prepare() {
  Statements& s = *stmts_;
  // Term statistics for retrieval: fts5vocab over the chunk index, a temp table (so read-only
  // connections have it too), per connection.
  RETURN_IF_ERROR(db_->Exec(
      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, row)"));
  struct Entry {
    SqliteStmt* stmt;
    std::string sql;
  };
  const std::string sym(kSymbolColumns);
  std::vector<Entry> entries = {
      {&s.file_id, "SELECT id FROM files WHERE path = ?1"},
      {&s.insert_file,
       "INSERT INTO files(path, blob_id, size, mtime_ns, inode, language, tracked, line_count, "
       "has_syntax_errors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&s.update_file,
       "UPDATE files SET blob_id = ?2, size = ?3, mtime_ns = ?4, inode = ?5, language = ?6, "
       "tracked = ?7, line_count = ?8, has_syntax_errors = ?9 WHERE id = ?1"},
      {&s.update_stat, "UPDATE files SET size = ?2, mtime_ns = ?3, inode = ?4 WHERE path = ?1"},
      {&s.delete_file, "DELETE FROM files WHERE id = ?1"},
      {&s.symbol_names_of_file, "SELECT name_id FROM symbols WHERE id BETWEEN ?1 AND ?2"},
      {&s.ref_names_of_file, "SELECT name_id FROM refs WHERE id BETWEEN ?1 AND ?2"},
      {&s.chunks_of_file, "SELECT id, text FROM chunks WHERE id BETWEEN ?1 AND ?2"},
      {&s.fts_insert, "INSERT INTO chunks_fts(rowid, text) VALUES (?1, ?2)"},
      {&s.fts_delete, "INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', ?1, ?2)"},
      {&s.delete_symbols, "DELETE FROM symbols WHERE id BETWEEN ?1 AND ?2"},
      {&s.delete_refs, "DELETE FROM refs WHERE id BETWEEN ?1 AND ?2"},
      {&s.delete_imports, "DELETE FROM imports WHERE id BETWEEN ?1 AND ?2"},
      {&s.delete_chunks, "DELETE FROM chunks WHERE id BETWEEN ?1 AND ?2"},
      {&s.name_lookup, "SELECT id FROM names WHERE name = ?1"},
      {&s.name_insert, "INSERT INTO names(name) VALUES (?1)"},
      {&s.collect_name,
       "DELETE FROM names WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM symbols WHERE name_id = ?1) "
       "AND NOT EXISTS (SELECT 1 FROM refs WHERE name_id = ?1) RETURNING name"},
      {&s.insert_symbol,
       "INSERT INTO symbols(id, name_id, kind, parent, start_line, start_col, end_line, end_col, "
       "start_byte, end_byte, name_line, name_col, name_end_line, name_end_col, name_start_byte, "
       "name_end_byte, qualified, signature, doc) VALUES (?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
       "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"},
      {&s.insert_ref,
       "INSERT INTO refs(id, name_id, kind, enclosing, line, col, line_span, end_col, start_byte, "
       "byte_len) VALUES (?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {&s.insert_import,
       "INSERT INTO imports(id, kind, line, spec, resolved) VALUES (?1, ?3, ?4, ?5, ?6)"},
      {&s.insert_chunk,
       "INSERT INTO chunks(id, start_line, end_line, start_byte, end_byte, symbol, scope, text) "
       "VALUES (?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&s.set_import_target, "UPDATE imports SET resolved = ?2 WHERE id = ?1"},
      {&s.get_meta, "SELECT value FROM meta WHERE key = ?1"},
      {&s.set_meta, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)"},
      {&s.bump_generation,
       "INSERT INTO meta(key, value) VALUES ('symbols_generation', '1') ON CONFLICT(key) DO "
       "UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"},
      {&s.symbols_by_name,
       sym + "WHERE s.name_id = ?1 ORDER BY f.path, s.start_line, s.start_col, s.id LIMIT ?2"},
      {&s.symbols_by_name_all,
       sym + "WHERE s.name_id = ?1 ORDER BY f.path, s.start_line, s.start_col, s.id"},
      {&s.symbols_of_file, sym + "WHERE s.id BETWEEN ?1 AND ?2 ORDER BY s.id"},
      {&s.names_by_prefix,
       "SELECT id, name FROM names WHERE lower(name) >= ?1 AND lower(name) < ?2"},
      {&s.fuzzy_names,
       "SELECT n.id, n.name FROM (SELECT DISTINCT name_id AS id FROM symbols) d "
       "CROSS JOIN names n ON n.id = d.id"},
      {&s.refs_by_name,
       "SELECT f.path, r.id >> 24, r.kind, r.enclosing, r.line, r.col, r.line_span, r.end_col, "
       "r.start_byte, r.byte_len FROM refs r CROSS JOIN files f ON f.id = (r.id >> 24) "
       "WHERE r.name_id = ?1 ORDER BY f.path, r.line, r.col, r.id LIMIT ?2"},
      {&s.enclosing_name,
       "SELECT coalesce(s.qualified, n.name) FROM symbols s CROSS JOIN names n ON n.id = s.name_id "
       "WHERE s.id = ?1"},
      // Chunks are in byte order within a file: the last one starting at or before the byte.
      {&s.chunk_at,
       "SELECT start_byte, text FROM chunks WHERE id BETWEEN ?1 AND ?2 AND start_byte <= ?3 "
       "ORDER BY id DESC LIMIT 1"},
      {&s.fts_top,
       "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?1 "
       "ORDER BY rank LIMIT ?2"},
      {&s.fts_all, "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?1"},
      {&s.fts_highlight,
       "SELECT highlight(chunks_fts, 0, char(1), char(2)) FROM chunks_fts "
       "WHERE chunks_fts MATCH ?1 AND rowid = ?2"},
      {&s.chunk_row,
       "SELECT f.path, c.start_line, c.end_line, c.start_byte, c.end_byte, c.scope "
       "FROM chunks c CROSS JOIN files f ON f.id = (c.id >> 24) WHERE c.id = ?1"},
      {&s.get_file,
       "SELECT id, path, blob_id, size, mtime_ns, inode, language, tracked, line_count, "
       "has_syntax_errors FROM files WHERE path = ?1"},
      {&s.term_docs, "SELECT doc FROM temp.chunks_vocab WHERE term = ?1"},
      {&s.fts_averages, "SELECT block FROM chunks_fts_data WHERE id = 1"},
      {&s.count_named, "SELECT count(*) FROM (SELECT 1 FROM symbols WHERE name_id = ?1 LIMIT ?2)"},
      {&s.chunk_at_line,
       "SELECT id, start_line, end_line, scope, text FROM chunks "
       "WHERE id BETWEEN ?1 AND ?2 AND start_line <= ?3 AND end_line >= ?3 ORDER BY id LIMIT 1"},
      {&s.file_history,
       "SELECT c.commits, c.lines_added, c.lines_deleted, c.last_change_time, c.last_commit "
       "FROM history_paths p CROSS JOIN churn c ON c.path_id = p.id WHERE p.path = ?1"},
      {&s.list_files,
       "SELECT id, path, blob_id, size, mtime_ns, inode, language, tracked, line_count, "
       "has_syntax_errors FROM files ORDER BY path"},
  };
  for (Entry& e : entries) {
    ASSIGN_OR_RETURN(*e.stmt, db_->Prepare(e.sql));
  }
  return absl::OkStatus();
}

// ---- meta and transactions --------------------------------------------------------------------

absl::Status IndexStore::SetMeta(std::string_view key, std::string_view value) {
  SqliteStmt& st = stmts_->set_meta;
  st.Bind(1, key).Bind(2, value);
  return st.Run();
}

absl::StatusOr<std::optional<std::string>> IndexStore::GetMeta(std::string_view key) {
  SqliteStmt& st = stmts_->get_meta;
  st.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  std::optional<std::string> value;
  if (row) value = std::string(st.ColumnText(0));
  st.Reset();
  return value;
}

absl::Status IndexStore::Begin() {
  if (write_->in_transaction) {
    return absl::FailedPreconditionError("index: " + path_ + ": a transaction is already open");
  }
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  write_->in_transaction = true;
  write_->symbols_changed = false;
  write_->collect.clear();
  return absl::OkStatus();
}

absl::Status IndexStore::CollectNames() {
  std::vector<int64_t>& ids = write_->collect;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  SqliteStmt& st = stmts_->collect_name;
  for (int64_t id : ids) {
    st.Bind(1, id);
    while (true) {
      absl::StatusOr<bool> row = st.Step();
      if (!row.ok()) {
        st.Reset();
        return row.status();
      }
      if (!*row) break;
      write_->names.erase(absl::string_view(st.ColumnText(0).data(), st.ColumnText(0).size()));
    }
    st.Reset();
  }
  ids.clear();
  return absl::OkStatus();
}

absl::Status IndexStore::Commit() {
  if (!write_->in_transaction) {
    return absl::FailedPreconditionError("index: " + path_ + ": commit without a transaction");
  }
  RETURN_IF_ERROR(CollectNames());
  if (write_->symbols_changed) RETURN_IF_ERROR(stmts_->bump_generation.Run());
  RETURN_IF_ERROR(db_->Exec("COMMIT"));
  write_->in_transaction = false;
  write_->symbols_changed = false;
  return absl::OkStatus();
}

absl::Status IndexStore::Rollback() {
  if (!write_->in_transaction) {
    return absl::FailedPreconditionError("index: " + path_ + ": rollback without a transaction");
  }
  write_->in_transaction = false;
  write_->collect.clear();
  ResetNameCache();  // ids handed out in the transaction are gone
  fuzzy_->valid = false;
  return db_->Exec("ROLLBACK");
}

// ---- writes ----------------------------------------------------------------------------------

absl::StatusOr<std::optional<int64_t>> IndexStore::LookupFileId(std::string_view path) {
  SqliteStmt& st = stmts_->file_id;
  st.Bind(1, path);
  ASSIGN_OR_RETURN(bool row, st.Step());
  std::optional<int64_t> id;
  if (row) id = st.ColumnInt64(0);
  st.Reset();
  return id;
}

absl::StatusOr<std::optional<int64_t>> IndexStore::LookupName(std::string_view name) {
  SqliteStmt& st = stmts_->name_lookup;
  st.BindStatic(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  std::optional<int64_t> id;
  if (row) id = st.ColumnInt64(0);
  st.Reset();
  return id;
}

void IndexStore::ResetNameCache() {
  write_->names.clear();
  write_->names_complete = false;
  write_->load_names = true;
}

absl::Status IndexStore::LoadNames() {
  write_->load_names = false;
  ASSIGN_OR_RETURN(SqliteStmt count, db_->Prepare("SELECT max(id) FROM names"));
  int64_t max_id = 0;
  RETURN_IF_ERROR(ForEachRow(count, [&] {
    max_id = count.ColumnInt64(0);
    return absl::OkStatus();
  }));
  if (static_cast<uint64_t>(max_id) > kNameCacheLimit) return absl::OkStatus();  // too many to keep
  write_->names.clear();
  ASSIGN_OR_RETURN(SqliteStmt all, db_->Prepare("SELECT id, name FROM names"));
  RETURN_IF_ERROR(ForEachRow(all, [&] {
    write_->names.emplace(std::string(all.ColumnText(1)), all.ColumnInt64(0));
    return absl::OkStatus();
  }));
  write_->names_complete = true;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> IndexStore::InternName(std::string_view name) {
  if (write_->load_names) RETURN_IF_ERROR(LoadNames());
  absl::string_view key(name.data(), name.size());
  auto it = write_->names.find(key);
  if (it != write_->names.end()) return it->second;
  std::optional<int64_t> found;
  if (!write_->names_complete) {
    ASSIGN_OR_RETURN(found, LookupName(name));
  }
  int64_t id;
  if (found) {
    id = *found;
  } else {
    SqliteStmt& ins = stmts_->name_insert;
    ins.BindStatic(1, name);
    RETURN_IF_ERROR(ins.Run());
    id = db_->LastInsertRowId();
  }
  if (write_->names.size() >= kNameCacheLimit) {
    write_->names.clear();
    write_->names_complete = false;
  }
  write_->names.emplace(std::string(name), id);
  return id;
}

absl::Status IndexStore::RemoveFileContents(int64_t file_id) {
  Statements& s = *stmts_;
  const int64_t first = FirstKey(file_id), last = LastKey(file_id);
  for (SqliteStmt* st : {&s.symbol_names_of_file, &s.ref_names_of_file}) {
    st->Bind(1, first).Bind(2, last);
    while (true) {
      absl::StatusOr<bool> row = st->Step();
      if (!row.ok()) {
        st->Reset();
        return row.status();
      }
      if (!*row) break;
      write_->collect.push_back(st->ColumnInt64(0));
    }
    st->Reset();
  }
  // The full-text index forgets each chunk with its old text, still in the chunks table here.
  SqliteStmt& chunks = s.chunks_of_file;
  chunks.Bind(1, first).Bind(2, last);
  RETURN_IF_ERROR(ForEachRow(chunks, [&] {
    SqliteStmt& del = s.fts_delete;
    del.Bind(1, chunks.ColumnInt64(0)).BindStatic(2, chunks.ColumnText(1));
    return del.Run();
  }));
  for (SqliteStmt* st : {&s.delete_symbols, &s.delete_refs, &s.delete_imports, &s.delete_chunks}) {
    st->Bind(1, first).Bind(2, last);
    RETURN_IF_ERROR(st->Run());
  }
  write_->symbols_changed = true;
  return absl::OkStatus();
}

absl::Status IndexStore::WriteFacts(int64_t file_id, const FileFacts& facts,
                                    std::string_view content,
                                    const std::vector<std::optional<std::string>>& resolved) {
  Statements& s = *stmts_;
  if (!facts.symbols.empty()) write_->symbols_changed = true;
  for (size_t i = 0; i < facts.symbols.size(); ++i) {
    const Symbol& sym = facts.symbols[i];
    ASSIGN_OR_RETURN(int64_t name_id, InternName(sym.name));
    SqliteStmt& st = s.insert_symbol;
    st.Bind(1, RowKey(file_id, static_cast<int64_t>(i))).Bind(3, name_id);
    st.Bind(4, static_cast<int64_t>(sym.kind));
    if (sym.parent < 0) {
      st.BindNull(5);
    } else {
      st.Bind(5, int64_t{sym.parent});
    }
    const SourceRange& r = sym.range;
    const SourceRange& nr = sym.name_range;
    st.Bind(6, int64_t{r.start_line}).Bind(7, int64_t{r.start_column});
    st.Bind(8, int64_t{r.end_line}).Bind(9, int64_t{r.end_column});
    st.Bind(10, int64_t{r.start_byte}).Bind(11, int64_t{r.end_byte});
    st.Bind(12, int64_t{nr.start_line}).Bind(13, int64_t{nr.start_column});
    st.Bind(14, int64_t{nr.end_line}).Bind(15, int64_t{nr.end_column});
    st.Bind(16, int64_t{nr.start_byte}).Bind(17, int64_t{nr.end_byte});
    BindOptionalText(st, 18, sym.qualified_name, sym.qualified_name == sym.name);
    st.BindStatic(19, sym.signature);
    BindOptionalText(st, 20, sym.doc, sym.doc.empty());
    RETURN_IF_ERROR(st.Run());
  }
  for (size_t i = 0; i < facts.references.size(); ++i) {
    const Reference& ref = facts.references[i];
    ASSIGN_OR_RETURN(int64_t name_id, InternName(ref.name));
    SqliteStmt& st = s.insert_ref;
    const SourceRange& r = ref.range;
    st.Bind(1, RowKey(file_id, static_cast<int64_t>(i))).Bind(3, name_id);
    st.Bind(4, static_cast<int64_t>(ref.kind));
    if (ref.enclosing < 0) {
      st.BindNull(5);
    } else {
      st.Bind(5, int64_t{ref.enclosing});
    }
    st.Bind(6, int64_t{r.start_line}).Bind(7, int64_t{r.start_column});
    st.Bind(8, int64_t{r.end_line} - int64_t{r.start_line}).Bind(9, int64_t{r.end_column});
    st.Bind(10, int64_t{r.start_byte}).Bind(11, int64_t{r.end_byte} - int64_t{r.start_byte});
    RETURN_IF_ERROR(st.Run());
  }
  for (size_t i = 0; i < facts.imports.size(); ++i) {
    const Import& imp = facts.imports[i];
    SqliteStmt& st = s.insert_import;
    st.Bind(1, RowKey(file_id, static_cast<int64_t>(i))).Bind(3, static_cast<int64_t>(imp.kind));
    st.Bind(4, int64_t{imp.line}).BindStatic(5, imp.spec);
    if (!resolved.empty() && resolved[i]) {
      st.BindStatic(6, *resolved[i]);
    } else {
      st.BindNull(6);
    }
    RETURN_IF_ERROR(st.Run());
  }
  for (size_t i = 0; i < facts.chunks.size(); ++i) {
    const Chunk& c = facts.chunks[i];
    SqliteStmt& st = s.insert_chunk;
    const int64_t chunk_id = RowKey(file_id, static_cast<int64_t>(i));
    st.Bind(1, chunk_id);
    st.Bind(3, int64_t{c.start_line}).Bind(4, int64_t{c.end_line});
    st.Bind(5, int64_t{c.start_byte}).Bind(6, int64_t{c.end_byte});
    if (c.symbol < 0) {
      st.BindNull(7);
    } else {
      st.Bind(7, int64_t{c.symbol});
    }
    BindOptionalText(st, 8, c.scope_path, c.scope_path.empty());
    const std::string_view text = content.substr(c.start_byte, c.end_byte - c.start_byte);
    st.BindStatic(9, text);
    RETURN_IF_ERROR(st.Run());
    SqliteStmt& fts = s.fts_insert;
    fts.Bind(1, chunk_id).BindStatic(2, text);
    RETURN_IF_ERROR(fts.Run());
  }
  return absl::OkStatus();
}

absl::Status IndexStore::UpsertFile(const FileRecord& record, const FileFacts& facts,
                                    std::string_view content,
                                    const std::vector<std::optional<std::string>>& resolved) {
  RETURN_IF_ERROR(ValidateFacts(record, facts, content, resolved));
  // No savepoint around the file: FTS5 flushes its pending terms to a new segment at every
  // savepoint, which halves ingest speed. Facts are validated above, so only SQLite itself (disk
  // full, I/O) can fail midway; the caller then rolls the batch back.
  return InTransaction([&]() -> absl::Status {
    Statements& s = *stmts_;
    ASSIGN_OR_RETURN(std::optional<int64_t> existing, LookupFileId(record.path));
    SqliteStmt& st = existing ? s.update_file : s.insert_file;
    if (existing) {
      RETURN_IF_ERROR(RemoveFileContents(*existing));
      st.Bind(1, *existing);
    } else {
      st.Bind(1, record.path);
    }
    st.Bind(2, record.blob_id);
    st.Bind(3, static_cast<int64_t>(record.stat.size)).Bind(4, record.stat.mtime_ns);
    st.Bind(5, static_cast<int64_t>(record.stat.inode));
    st.Bind(6, static_cast<int64_t>(record.language)).Bind(7, int64_t{record.tracked});
    st.Bind(8, int64_t{record.line_count}).Bind(9, int64_t{facts.has_syntax_errors});
    RETURN_IF_ERROR(st.Run());
    int64_t file_id = existing ? *existing : db_->LastInsertRowId();
    absl::Status status = WriteFacts(file_id, facts, content, resolved);
    if (!status.ok()) {
      ResetNameCache();  // ids handed out may be rolled back with the batch
      return Annotate(status, "index: upsert " + record.path);
    }
    return absl::OkStatus();
  });
}

absl::Status IndexStore::UpdateFileStat(std::string_view path, const FileStat& stat) {
  SqliteStmt& st = stmts_->update_stat;
  st.Bind(1, path).Bind(2, static_cast<int64_t>(stat.size)).Bind(3, stat.mtime_ns);
  st.Bind(4, static_cast<int64_t>(stat.inode));
  RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) {
    return absl::NotFoundError("index: " + path_ + ": no file '" + std::string(path) + "'");
  }
  return absl::OkStatus();
}

absl::Status IndexStore::DeleteFile(std::string_view path) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, LookupFileId(path));
  if (!id) return absl::NotFoundError("index: " + path_ + ": no file '" + std::string(path) + "'");
  return InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(RemoveFileContents(*id));
    SqliteStmt& st = stmts_->delete_file;
    st.Bind(1, *id);
    return st.Run();
  });
}

// ---- files and imports -----------------------------------------------------------------------

namespace {

FileRecord ReadFile(const SqliteStmt& st) {
  FileRecord f;
  f.id = st.ColumnInt64(0);
  f.path = std::string(st.ColumnText(1));
  f.blob_id = std::string(st.ColumnText(2));
  f.stat.size = static_cast<uint64_t>(st.ColumnInt64(3));
  f.stat.mtime_ns = st.ColumnInt64(4);
  f.stat.inode = static_cast<uint64_t>(st.ColumnInt64(5));
  f.language = static_cast<Language>(st.ColumnInt64(6));
  f.tracked = st.ColumnInt64(7) != 0;
  f.line_count = static_cast<uint32_t>(st.ColumnInt64(8));
  f.has_syntax_errors = st.ColumnInt64(9) != 0;
  return f;
}

}  // namespace

absl::StatusOr<std::vector<FileRecord>> IndexStore::ListFiles() {
  std::vector<FileRecord> files;
  SqliteStmt& st = stmts_->list_files;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    files.push_back(ReadFile(st));
    return absl::OkStatus();
  }));
  return files;
}

absl::StatusOr<std::optional<FileRecord>> IndexStore::GetFile(std::string_view path) {
  std::optional<FileRecord> file;
  SqliteStmt& st = stmts_->get_file;
  st.Bind(1, path);
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    file = ReadFile(st);
    return absl::OkStatus();
  }));
  return file;
}

absl::StatusOr<std::vector<ImportRow>> IndexStore::ListImports() {
  ASSIGN_OR_RETURN(
      SqliteStmt st,
      db_->Prepare("SELECT i.id, f.path, f.language, i.kind, i.spec, i.line, "
                   "i.resolved FROM imports i CROSS JOIN files f ON f.id = (i.id >> 24) "
                   "ORDER BY f.path, i.line, i.id"));
  std::vector<ImportRow> rows;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    ImportRow r;
    r.id = st.ColumnInt64(0);
    r.file_path = std::string(st.ColumnText(1));
    r.language = static_cast<Language>(st.ColumnInt64(2));
    r.import.kind = static_cast<ImportKind>(st.ColumnInt64(3));
    r.import.spec = std::string(st.ColumnText(4));
    r.import.line = static_cast<uint32_t>(st.ColumnInt64(5));
    if (!st.ColumnIsNull(6)) r.resolved_path = std::string(st.ColumnText(6));
    rows.push_back(std::move(r));
    return absl::OkStatus();
  }));
  return rows;
}

absl::Status IndexStore::SetImportTarget(int64_t import_id,
                                         const std::optional<std::string>& resolved_path) {
  SqliteStmt& st = stmts_->set_import_target;
  st.Bind(1, import_id);
  if (resolved_path) {
    st.Bind(2, *resolved_path);
  } else {
    st.BindNull(2);
  }
  RETURN_IF_ERROR(st.Run());
  if (db_->Changes() == 0) {
    return absl::NotFoundError("index: " + path_ + ": no import with id " + Num(import_id));
  }
  return absl::OkStatus();
}

// ---- history ---------------------------------------------------------------------------------

absl::Status IndexStore::ReplaceHistory(const History& history) {
  return InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        db_->Exec("DELETE FROM co_change; DELETE FROM churn; DELETE FROM history_paths"));
    ASSIGN_OR_RETURN(SqliteStmt path_ins,
                     db_->Prepare("INSERT INTO history_paths(path) VALUES (?1)"));
    absl::flat_hash_map<std::string, int64_t> ids;
    auto intern = [&](const std::string& path) -> absl::StatusOr<int64_t> {
      auto it = ids.find(absl::string_view(path.data(), path.size()));
      if (it != ids.end()) return it->second;
      path_ins.Bind(1, path);
      RETURN_IF_ERROR(path_ins.Run());
      int64_t id = db_->LastInsertRowId();
      ids.emplace(path, id);
      return id;
    };
    ASSIGN_OR_RETURN(SqliteStmt churn_ins,
                     db_->Prepare("INSERT OR REPLACE INTO churn(path_id, commits, lines_added, "
                                  "lines_deleted, last_change_time, last_commit) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (const FileChurn& c : history.files) {
      ASSIGN_OR_RETURN(int64_t id, intern(c.path));
      churn_ins.Bind(1, id).Bind(2, int64_t{c.commits});
      churn_ins.Bind(3, static_cast<int64_t>(c.lines_added));
      churn_ins.Bind(4, static_cast<int64_t>(c.lines_deleted));
      churn_ins.Bind(5, c.last_change_time).Bind(6, c.last_commit);
      RETURN_IF_ERROR(churn_ins.Run());
    }
    ASSIGN_OR_RETURN(
        SqliteStmt pair_ins,
        db_->Prepare("INSERT INTO co_change(a, b, count) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT(a, b) DO UPDATE SET count = count + excluded.count"));
    for (const CoChange& p : history.pairs) {
      const std::string& a = p.path_a < p.path_b ? p.path_a : p.path_b;
      const std::string& b = p.path_a < p.path_b ? p.path_b : p.path_a;
      if (a == b) continue;
      ASSIGN_OR_RETURN(int64_t ia, intern(a));
      ASSIGN_OR_RETURN(int64_t ib, intern(b));
      pair_ins.Bind(1, ia).Bind(2, ib).Bind(3, int64_t{p.count});
      RETURN_IF_ERROR(pair_ins.Run());
    }
    RETURN_IF_ERROR(SetMeta("history_head", history.head_commit));
    return SetMeta("history_commits_walked", Num(history.commits_walked));
  });
}

absl::StatusOr<std::vector<FileChurn>> IndexStore::Churn(std::string_view path_prefix, int limit) {
  ASSIGN_OR_RETURN(SqliteStmt st,
                   db_->Prepare("SELECT p.path, c.commits, c.lines_added, c.lines_deleted, "
                                "c.last_change_time, c.last_commit FROM history_paths p "
                                "CROSS JOIN churn c ON c.path_id = p.id "
                                "WHERE p.path >= ?1 AND p.path < ?2 ORDER BY c.commits DESC, "
                                "c.lines_added + c.lines_deleted DESC, p.path LIMIT ?3"));
  st.Bind(1, path_prefix).Bind(2, std::string(path_prefix) + "\xff").Bind(3, int64_t{limit});
  std::vector<FileChurn> out;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    FileChurn c;
    c.path = std::string(st.ColumnText(0));
    c.commits = static_cast<uint32_t>(st.ColumnInt64(1));
    c.lines_added = static_cast<uint64_t>(st.ColumnInt64(2));
    c.lines_deleted = static_cast<uint64_t>(st.ColumnInt64(3));
    c.last_change_time = st.ColumnInt64(4);
    c.last_commit = std::string(st.ColumnText(5));
    out.push_back(std::move(c));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<CoChange>> IndexStore::CoChanged(std::string_view path, int limit) {
  ASSIGN_OR_RETURN(
      SqliteStmt st,
      db_->Prepare("WITH me(id) AS (SELECT id FROM history_paths WHERE path = ?1) "
                   "SELECT pa.path, pb.path, x.count FROM ("
                   "  SELECT a, b, count FROM co_change WHERE a = (SELECT id FROM me) "
                   "  UNION ALL "
                   "  SELECT a, b, count FROM co_change WHERE b = (SELECT id FROM me)) x "
                   "CROSS JOIN history_paths pa ON pa.id = x.a "
                   "CROSS JOIN history_paths pb ON pb.id = x.b "
                   "ORDER BY x.count DESC, pa.path, pb.path LIMIT ?2"));
  st.Bind(1, path).Bind(2, int64_t{limit});
  std::vector<CoChange> out;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    out.push_back({std::string(st.ColumnText(0)), std::string(st.ColumnText(1)),
                   static_cast<uint32_t>(st.ColumnInt64(2))});
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace engram::repo_index
