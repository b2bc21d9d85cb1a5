// Helpers shared by the IndexStore's source files (index_store.cc: writes and queries;
// index_dump.cc: stats, integrity and the canonical dump). Not part of the public API.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "repo_index/store/fuzzy_match.h"
#include "repo_index/store/index_store.h"
#include "repo_index/store/sqlite.h"

namespace engram::repo_index::internal {

// Rows of a file's symbols, references, imports and chunks are keyed (file id << kSeqBits) | index.
constexpr int kSeqBits = 24;
constexpr int64_t kMaxSeq = (int64_t{1} << kSeqBits) - 1;
inline int64_t RowKey(int64_t file_id, int64_t seq) { return (file_id << kSeqBits) | seq; }
inline int64_t FirstKey(int64_t file_id) { return file_id << kSeqBits; }
inline int64_t LastKey(int64_t file_id) { return (file_id << kSeqBits) | kMaxSeq; }

inline std::string Num(int64_t v) { return std::to_string(v); }

inline uint64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// Runs `st` to completion, calling `row` for each row, and resets it (also on errors).
template <typename Row>
absl::Status ForEachRow(SqliteStmt& st, Row row) {
  while (true) {
    absl::StatusOr<bool> more = st.Step();
    if (!more.ok()) {
      st.Reset();
      return more.status();
    }
    if (!*more) break;
    absl::Status status = row();
    if (!status.ok()) {
      st.Reset();
      return status;
    }
  }
  st.Reset();
  return absl::OkStatus();
}

// FNV-1a of `bytes` (chunk text fingerprints in the dump).
inline uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Dump strings on one line: backslash, newline, tab and control bytes escaped.
inline void AppendEscaped(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '"':
        *out += "\\\"";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace engram::repo_index::internal

namespace engram::repo_index {

// IndexStore's private state, shared by its source files.
struct IndexStore::Statements {
  // writes
  SqliteStmt file_id;  // ?1 path
  SqliteStmt insert_file, update_file, update_stat, delete_file;
  SqliteStmt symbol_names_of_file, ref_names_of_file, chunks_of_file;
  SqliteStmt fts_insert, fts_delete;
  SqliteStmt delete_symbols, delete_refs, delete_imports, delete_chunks;
  SqliteStmt name_lookup, name_insert, collect_name;
  SqliteStmt insert_symbol, insert_ref, insert_import, insert_chunk;
  SqliteStmt set_import_target;
  SqliteStmt get_meta, set_meta, bump_generation;
  // reads
  SqliteStmt symbols_by_name, symbols_by_name_all, symbols_of_file;
  SqliteStmt names_by_prefix, fuzzy_names;
  SqliteStmt refs_by_name, enclosing_name, chunk_at;
  SqliteStmt fts_top, fts_all, fts_highlight, chunk_row;
  SqliteStmt get_file, list_files;
  // retrieval (index_retrieval.cc)
  SqliteStmt term_docs, fts_averages, chunk_at_line, file_history, count_named;
};

struct IndexStore::FuzzyCache {
  bool valid = false;
  std::string generation;
  FuzzyNameList names;
};

struct IndexStore::WriteState {
  bool in_transaction = false;
  bool symbols_changed = false;
  absl::flat_hash_map<std::string, int64_t> names;  // name → names.id, for this connection's writes
  bool names_complete = false;                      // `names` holds every row of the names table
  bool load_names = true;                           // try to load the whole table at the next write
  std::vector<int64_t> collect;                     // name ids that may have lost their last use
};

}  // namespace engram::repo_index
