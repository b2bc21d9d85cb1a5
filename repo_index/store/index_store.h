// The repository index in SQLite: files, symbols, references, imports, chunks, history; FTS5 search.
//
//   ASSIGN_OR_RETURN(auto store, IndexStore::Open(db_path));        // creates or migrates
//   RETURN_IF_ERROR(store->Begin());
//   RETURN_IF_ERROR(store->UpsertFile(record, facts, content, resolved));
//   RETURN_IF_ERROR(store->Commit());
//   ASSIGN_OR_RETURN(auto hits, store->FindSymbols("parse_header", NameMatch::kPrefix, 20));
//
// The schema is specified in docs/formats/index.md; `schema_version` in the meta table drives
// migrations, applied in one transaction at Open. A database that is not SQLite, fails the quick
// integrity check, or has a newer schema version is refused with DataLoss / FailedPrecondition naming the
// path (the file is never modified or deleted). Writes happen inside Begin/Commit (batched by the
// caller); a crash mid-batch leaves the previous committed state (WAL).
//
// Thread-safety: one IndexStore = one SQLite connection, used by one thread at a time. Open one store
// for the writer and one per reader thread; WAL lets readers run while the writer commits.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/language.h"
#include "repo_index/parse/facts.h"
#include "repo_index/scan/history.h"
#include "repo_index/scan/scanner.h"

namespace engram::repo_index {

class SqliteDb;

inline constexpr int kIndexSchemaVersion = 1;

struct FileRecord {
  int64_t id = 0;  // assigned by the store
  std::string path;
  std::string blob_id;
  FileStat stat;
  Language language = Language::kUnknown;
  bool tracked = false;
  uint32_t line_count = 0;
  bool has_syntax_errors = false;
  bool operator==(const FileRecord&) const = default;
};

struct ImportRow {
  int64_t id = 0;
  std::string file_path;  // the importing file
  Language language = Language::kUnknown;
  Import import;
  std::optional<std::string> resolved_path;
};

enum class NameMatch { kExact, kPrefix, kFuzzy };

struct SymbolHit {
  int64_t symbol_id = 0;
  std::string path;
  Symbol symbol;       // parent is -1 here; qualified_name carries the scope chain
  double score = 0;    // higher is better (fuzzy and prefix ranking)
};

struct ReferenceHit {
  std::string path;
  Reference reference;              // enclosing is -1 here
  std::string enclosing_qualified;  // qualified name of the enclosing definition, "" at top level
  std::string line_text;            // the source line, trimmed, at most 200 bytes
};

struct TextHit {
  std::string path;
  Chunk chunk;          // symbol is -1 here
  std::string snippet;  // a few lines around the best match, with [ ] around matched tokens
  double score = 0;     // -bm25, higher is better
};

// A chunk as retrieval sees it (index_retrieval.cc).
struct ChunkHit {
  int64_t chunk_id = 0;
  std::string path;
  uint32_t start_line = 0;  // 1-based, inclusive
  uint32_t end_line = 0;
  std::string scope;        // scope path ("net::Http::parse"), may be empty
  std::string text;
  double score = 0;         // -bm25 for RankChunks, higher is better; 0 otherwise
};

// ---- symbol graph input (index_graph.cc) ----
// Everything the repo map's definition/reference graph is built from, in dense indexes (positions
// in the vectors below, not database ids). See IndexStore::LoadGraphFacts.
struct GraphFacts {
  struct Definition {
    uint32_t file = 0;  // dense file index
    uint32_t name = 0;  // dense name index
    SymbolKind kind = SymbolKind::kFunction;
    uint32_t start_line = 0;  // 1-based, inclusive
    uint32_t end_line = 0;
    int64_t symbol_id = 0;          // symbols.id
    uint32_t signature_offset = 0;  // the signature is signatures[offset, offset + size)
    uint32_t signature_size = 0;
  };
  struct RefCount {
    uint32_t file = 0;  // the referencing file
    uint32_t name = 0;
    uint32_t count = 0;  // references to `name` in `file` (> 0)
  };
  std::vector<std::string> files;       // paths, sorted by bytes; index = dense file index
  std::vector<int64_t> file_ids;        // files.id of each path
  std::vector<std::string> names;       // every stored identifier, sorted by bytes
  std::vector<Definition> definitions;  // by file, then source order (start line, outer first)
  std::string signatures;               // the signatures' bytes, concatenated
  std::vector<RefCount> references;     // one per (file, name) referenced, sorted by (file, name)
  uint64_t symbols_generation = 0;      // the meta value the facts were read at (0 when unset)

  std::string_view signature(const Definition& d) const {
    return std::string_view(signatures).substr(d.signature_offset, d.signature_size);
  }
};

struct IndexStats {
  uint64_t files = 0;
  uint64_t symbols = 0;
  uint64_t references = 0;
  uint64_t imports = 0;
  uint64_t imports_resolved = 0;
  uint64_t chunks = 0;
  uint64_t source_bytes = 0;
  uint64_t history_files = 0;
  uint64_t co_change_pairs = 0;
  uint64_t database_bytes = 0;  // main file + WAL
  std::vector<std::pair<Language, uint64_t>> files_by_language;  // non-zero counts, by language order
};

class IndexStore {
 public:
  static absl::StatusOr<std::unique_ptr<IndexStore>> Open(const std::string& db_path);
  static absl::StatusOr<std::unique_ptr<IndexStore>> OpenReadOnly(const std::string& db_path);
  ~IndexStore();

  // Key/value metadata (workspace root, head commit, last full scan time, ...).
  absl::Status SetMeta(std::string_view key, std::string_view value);
  absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key);

  absl::Status Begin();
  absl::Status Commit();
  absl::Status Rollback();

  // Bulk loading (a first, full index): the name indexes of symbols and references are dropped and
  // built once at the end, which is several times cheaper than updating them row by row. Queries in
  // between still answer, only slower. Outside a transaction. A crash in between is repaired by the
  // next Open.
  absl::Status BeginBulkLoad();
  absl::Status EndBulkLoad();

  // Replaces everything stored for record.path (or inserts it). `content` is the parsed source: chunk
  // text is cut from it. `resolved[i]` is the resolution of facts.imports[i] (same length or empty).
  absl::Status UpsertFile(const FileRecord& record, const FileFacts& facts, std::string_view content,
                          const std::vector<std::optional<std::string>>& resolved);
  // The file's content is unchanged but its stat changed (touch): keeps facts, refreshes stat.
  absl::Status UpdateFileStat(std::string_view path, const FileStat& stat);
  absl::Status DeleteFile(std::string_view path);  // NotFound when absent

  absl::StatusOr<std::vector<FileRecord>> ListFiles();  // sorted by path
  absl::StatusOr<std::optional<FileRecord>> GetFile(std::string_view path);
  absl::StatusOr<std::vector<ImportRow>> ListImports();  // by file path, then line
  absl::Status SetImportTarget(int64_t import_id, const std::optional<std::string>& resolved_path);

  absl::Status ReplaceHistory(const History& history);
  absl::StatusOr<std::vector<FileChurn>> Churn(std::string_view path_prefix, int limit);  // most churn first
  absl::StatusOr<std::vector<CoChange>> CoChanged(std::string_view path, int limit);      // most first

  // Queries. `limit` caps the results; ties break by path then line for stable output.
  absl::StatusOr<std::vector<SymbolHit>> FindSymbols(std::string_view name, NameMatch match, int limit);
  absl::StatusOr<std::vector<SymbolHit>> Outline(std::string_view path);  // in source order
  absl::StatusOr<std::vector<ReferenceHit>> FindReferences(std::string_view name, int limit);
  absl::StatusOr<std::vector<TextHit>> SearchText(std::string_view query, int limit);

  // ---- retrieval (index_retrieval.cc): what the project memory asks of the index ----
  // Chunks containing each FTS term (a token of the `code` tokenizer: a lowercase part or a whole
  // run, see code_tokenizer.h); 0 for absent terms. Same order as `terms`.
  absl::StatusOr<std::vector<int64_t>> TermChunkCounts(const std::vector<std::string>& terms);
  absl::StatusOr<int64_t> ChunkCount();
  // Chunks matching any of `terms` (FTS5 OR query, BM25 ranking), best first, with their text.
  absl::StatusOr<std::vector<ChunkHit>> RankChunks(const std::vector<std::string>& terms, int limit);
  // The chunk of `path` whose line range holds `line` (the first such), or nullopt.
  absl::StatusOr<std::optional<ChunkHit>> ChunkAt(std::string_view path, uint32_t line);
  // Symbols named exactly `name`, counted up to `cap` (cheap even for names defined thousands of
  // times: the name index stops at cap).
  absl::StatusOr<int64_t> CountSymbolsNamed(std::string_view name, int64_t cap);
  // Churn and last change of one path (nullopt when the history does not know it).
  absl::StatusOr<std::optional<FileChurn>> FileHistory(std::string_view path);

  // ---- symbol graph (index_graph.cc): input of the repo map (memory/symbol_graph.h) ----
  // Every file, name and definition, and the references aggregated per (file, name), read in one
  // snapshot (its own read transaction unless the caller has one open). Linear in the index: 4-5 s
  // for a kernel-sized one (70 000 files, 2 M symbols, 10 M reference rows; about 1 GB of peak
  // memory with the graph built from it); callers cache the graph and rebuild it when
  // SymbolsGeneration() moves.
  absl::StatusOr<GraphFacts> LoadGraphFacts();
  // The `symbols_generation` meta value (0 when unset). It moves with every commit that rewrote or
  // deleted a file or added definitions; a commit that only adds new files without definitions does
  // not move it (their references reach a cached graph at the next move).
  absl::StatusOr<uint64_t> SymbolsGeneration();

  absl::StatusOr<IndexStats> Stats();
  absl::Status IntegrityCheck();  // PRAGMA integrity_check

  // A canonical text dump of everything stored except ids and stat fields (files, symbols, references,
  // imports with their resolution, chunks with their text hash, history), for "incremental equals full"
  // tests.
  absl::StatusOr<std::string> CanonicalDump();

  const std::string& path() const { return path_; }

 private:
  IndexStore(std::unique_ptr<SqliteDb> db, std::string path);
  struct Statements;
  std::unique_ptr<SqliteDb> db_;
  std::string path_;
  std::unique_ptr<Statements> stmts_;
  struct FuzzyCache;
  std::unique_ptr<FuzzyCache> fuzzy_;
  struct WriteState;  // open transaction, name-id cache, names to collect at commit
  std::unique_ptr<WriteState> write_;
  bool read_only_ = false;

  absl::Status Prepare();
  absl::Status EnsureFuzzy();
  absl::StatusOr<int64_t> InternName(std::string_view name);
  absl::Status LoadNames();
  void ResetNameCache();
  absl::StatusOr<std::optional<int64_t>> LookupName(std::string_view name);
  absl::StatusOr<std::optional<int64_t>> LookupFileId(std::string_view path);
  absl::Status RemoveFileContents(int64_t file_id);
  absl::Status WriteFacts(int64_t file_id, const FileFacts& facts, std::string_view content,
                          const std::vector<std::optional<std::string>>& resolved);
  absl::Status CollectNames();
  absl::StatusOr<std::vector<SymbolHit>> SymbolsByName(int64_t name_id, int limit);
  absl::StatusOr<std::vector<SymbolHit>> FindQualified(std::string_view qualified, int limit);
  absl::StatusOr<std::vector<SymbolHit>> FindPrefix(std::string_view prefix, int limit);
  absl::StatusOr<std::vector<SymbolHit>> FindFuzzy(std::string_view pattern, int limit);
  // Runs `body` inside the caller's transaction, or inside one of its own when none is open.
  template <typename Body>
  absl::Status InTransaction(Body body);
};

}  // namespace engram::repo_index
