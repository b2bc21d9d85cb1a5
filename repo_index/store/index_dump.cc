// IndexStore: counts, the integrity check and the canonical dump (index_store.cc has the rest).
#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>

#include "repo_index/store/index_store.h"
#include "repo_index/store/schema.h"
#include "repo_index/store/sqlite.h"
#include "repo_index/store/store_internal.h"
#include "support/status.h"

namespace engram::repo_index {

using internal::AppendEscaped;
using internal::FileSize;
using internal::FirstKey;
using internal::Fnv1a;
using internal::ForEachRow;
using internal::LastKey;
using internal::Num;

// ---- stats, checks, dump ---------------------------------------------------------------------

absl::StatusOr<IndexStats> IndexStore::Stats() {
  IndexStats stats;
  auto count = [&](const char* sql, uint64_t* out) -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStmt st, db_->Prepare(sql));
    return ForEachRow(st, [&] {
      *out = static_cast<uint64_t>(st.ColumnInt64(0));
      return absl::OkStatus();
    });
  };
  RETURN_IF_ERROR(count("SELECT count(*) FROM files", &stats.files));
  RETURN_IF_ERROR(count("SELECT count(*) FROM symbols", &stats.symbols));
  RETURN_IF_ERROR(count("SELECT count(*) FROM refs", &stats.references));
  RETURN_IF_ERROR(count("SELECT count(*) FROM imports", &stats.imports));
  RETURN_IF_ERROR(
      count("SELECT count(*) FROM imports WHERE resolved IS NOT NULL", &stats.imports_resolved));
  RETURN_IF_ERROR(count("SELECT count(*) FROM chunks", &stats.chunks));
  RETURN_IF_ERROR(count("SELECT coalesce(sum(size), 0) FROM files", &stats.source_bytes));
  RETURN_IF_ERROR(count("SELECT count(*) FROM churn", &stats.history_files));
  RETURN_IF_ERROR(count("SELECT count(*) FROM co_change", &stats.co_change_pairs));
  stats.database_bytes = FileSize(path_) + FileSize(path_ + "-wal");
  ASSIGN_OR_RETURN(SqliteStmt langs, db_->Prepare("SELECT language, count(*) FROM files "
                                                  "GROUP BY language ORDER BY language"));
  RETURN_IF_ERROR(ForEachRow(langs, [&] {
    stats.files_by_language.emplace_back(static_cast<Language>(langs.ColumnInt64(0)),
                                         static_cast<uint64_t>(langs.ColumnInt64(1)));
    return absl::OkStatus();
  }));
  return stats;
}

absl::Status IndexStore::IntegrityCheck() {
  RETURN_IF_ERROR(db_->IntegrityCheck());
  // Rows whose owner is gone, and names nothing uses.
  struct Check {
    const char* what;
    const char* sql;
  };
  const Check checks[] = {
      {"symbols without a file",
       "SELECT count(*) FROM symbols WHERE (id >> 24) NOT IN (SELECT id FROM files)"},
      {"references without a file",
       "SELECT count(*) FROM refs WHERE (id >> 24) NOT IN (SELECT id FROM files)"},
      {"imports without a file",
       "SELECT count(*) FROM imports WHERE (id >> 24) NOT IN (SELECT id FROM files)"},
      {"chunks without a file",
       "SELECT count(*) FROM chunks WHERE (id >> 24) NOT IN (SELECT id FROM files)"},
      {"symbols without a name",
       "SELECT count(*) FROM symbols WHERE name_id NOT IN (SELECT id FROM names)"},
      {"references without a name",
       "SELECT count(*) FROM refs WHERE name_id NOT IN (SELECT id FROM names)"},
      {"unused names",
       "SELECT count(*) FROM names n WHERE NOT EXISTS (SELECT 1 FROM symbols WHERE name_id = n.id) "
       "AND NOT EXISTS (SELECT 1 FROM refs WHERE name_id = n.id)"},
      {"churn without a path",
       "SELECT count(*) FROM churn WHERE path_id NOT IN (SELECT id FROM history_paths)"},
      {"co-change pairs without a path",
       "SELECT count(*) FROM co_change WHERE a NOT IN (SELECT id FROM history_paths) OR "
       "b NOT IN (SELECT id FROM history_paths)"},
  };
  for (const Check& check : checks) {
    ASSIGN_OR_RETURN(SqliteStmt st, db_->Prepare(check.sql));
    int64_t n = 0;
    RETURN_IF_ERROR(ForEachRow(st, [&] {
      n = st.ColumnInt64(0);
      return absl::OkStatus();
    }));
    if (n != 0) {
      return absl::DataLossError("index: " + path_ + ": " + Num(n) + " " + check.what);
    }
  }
  if (!read_only_) {
    absl::Status fts =
        db_->Exec("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)");
    if (!fts.ok()) {
      return absl::DataLossError("index: " + path_ + ": full-text index does not match chunks (" +
                                 std::string(fts.message()) + ")");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> IndexStore::CanonicalDump() {
  std::string out;
  out += "engram index schema " + Num(kIndexSchemaVersion) + "\n";
  ASSIGN_OR_RETURN(
      SqliteStmt syms,
      db_->Prepare("SELECT s.id & 16777215, s.kind, n.name, s.qualified, s.parent, s.start_line, "
                   "s.start_col, s.end_line, s.end_col, s.start_byte, s.end_byte, "
                   "s.name_line, s.name_col, s.name_end_line, s.name_end_col, "
                   "s.name_start_byte, s.name_end_byte, s.signature, s.doc "
                   "FROM symbols s CROSS JOIN names n ON n.id = s.name_id "
                   "WHERE s.id BETWEEN ?1 AND ?2 ORDER BY s.id"));
  ASSIGN_OR_RETURN(
      SqliteStmt refs,
      db_->Prepare("SELECT r.id & 16777215, r.kind, n.name, r.enclosing, r.line, r.col, "
                   "r.line_span, r.end_col, r.start_byte, r.byte_len "
                   "FROM refs r CROSS JOIN names n ON n.id = r.name_id "
                   "WHERE r.id BETWEEN ?1 AND ?2 ORDER BY r.id"));
  ASSIGN_OR_RETURN(SqliteStmt imps,
                   db_->Prepare("SELECT id & 16777215, kind, spec, line, resolved FROM imports "
                                "WHERE id BETWEEN ?1 AND ?2 ORDER BY id"));
  ASSIGN_OR_RETURN(SqliteStmt chunks,
                   db_->Prepare("SELECT id & 16777215, start_line, end_line, start_byte, end_byte, "
                                "scope, symbol, text FROM chunks WHERE id BETWEEN ?1 AND ?2 "
                                "ORDER BY id"));
  auto opt = [](const SqliteStmt& st, int col) {
    return st.ColumnIsNull(col) ? std::string("-") : Num(st.ColumnInt64(col));
  };
  ASSIGN_OR_RETURN(std::vector<FileRecord> files, ListFiles());
  for (const FileRecord& f : files) {
    out += "file ";
    AppendEscaped(&out, f.path);
    out += " blob=" + f.blob_id + " lang=" + std::string(LanguageName(f.language)) +
           " tracked=" + Num(f.tracked) + " lines=" + Num(f.line_count) +
           " syntax_errors=" + Num(f.has_syntax_errors) + "\n";
    syms.Bind(1, FirstKey(f.id)).Bind(2, LastKey(f.id));
    RETURN_IF_ERROR(ForEachRow(syms, [&] {
      out += "  symbol " + Num(syms.ColumnInt64(0)) + " kind=" + Num(syms.ColumnInt64(1)) + " ";
      AppendEscaped(&out, syms.ColumnText(2));
      out += " qualified=";
      AppendEscaped(&out, syms.ColumnIsNull(3) ? syms.ColumnText(2) : syms.ColumnText(3));
      out += " parent=" + opt(syms, 4);
      for (int c = 5; c <= 16; ++c) {
        out += c == 5 ? " range=" : c == 11 ? " name_range=" : ",";
        out += Num(syms.ColumnInt64(c));
      }
      out += " sig=";
      AppendEscaped(&out, syms.ColumnText(17));
      out += " doc=";
      AppendEscaped(&out, syms.ColumnText(18));
      out += "\n";
      return absl::OkStatus();
    }));
    refs.Bind(1, FirstKey(f.id)).Bind(2, LastKey(f.id));
    RETURN_IF_ERROR(ForEachRow(refs, [&] {
      out += "  ref " + Num(refs.ColumnInt64(0)) + " kind=" + Num(refs.ColumnInt64(1)) + " ";
      AppendEscaped(&out, refs.ColumnText(2));
      out += " enclosing=" + opt(refs, 3) + " at=";
      for (int c = 4; c <= 9; ++c) out += (c == 4 ? "" : ",") + Num(refs.ColumnInt64(c));
      out += "\n";
      return absl::OkStatus();
    }));
    imps.Bind(1, FirstKey(f.id)).Bind(2, LastKey(f.id));
    RETURN_IF_ERROR(ForEachRow(imps, [&] {
      out += "  import " + Num(imps.ColumnInt64(0)) + " kind=" + Num(imps.ColumnInt64(1)) + " ";
      AppendEscaped(&out, imps.ColumnText(2));
      out += " line=" + Num(imps.ColumnInt64(3)) + " resolved=";
      if (imps.ColumnIsNull(4)) {
        out += "-";
      } else {
        AppendEscaped(&out, imps.ColumnText(4));
      }
      out += "\n";
      return absl::OkStatus();
    }));
    chunks.Bind(1, FirstKey(f.id)).Bind(2, LastKey(f.id));
    RETURN_IF_ERROR(ForEachRow(chunks, [&] {
      char hash[24];
      std::snprintf(hash, sizeof hash, "%016" PRIx64, Fnv1a(chunks.ColumnText(7)));
      out += "  chunk " + Num(chunks.ColumnInt64(0)) + " lines=" + Num(chunks.ColumnInt64(1)) +
             "-" + Num(chunks.ColumnInt64(2)) + " bytes=" + Num(chunks.ColumnInt64(3)) + "-" +
             Num(chunks.ColumnInt64(4)) + " scope=";
      AppendEscaped(&out, chunks.ColumnText(5));
      out += " symbol=" + opt(chunks, 6) + " text=" + hash + "\n";
      return absl::OkStatus();
    }));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> head, GetMeta("history_head"));
  ASSIGN_OR_RETURN(std::optional<std::string> walked, GetMeta("history_commits_walked"));
  out += "history head=" + head.value_or("-") + " walked=" + walked.value_or("-") + "\n";
  ASSIGN_OR_RETURN(std::vector<FileChurn> churn, Churn("", std::numeric_limits<int>::max()));
  std::sort(churn.begin(), churn.end(),
            [](const FileChurn& a, const FileChurn& b) { return a.path < b.path; });
  for (const FileChurn& c : churn) {
    out += "churn ";
    AppendEscaped(&out, c.path);
    out += " commits=" + Num(c.commits) + " added=" + Num(static_cast<int64_t>(c.lines_added)) +
           " deleted=" + Num(static_cast<int64_t>(c.lines_deleted)) +
           " last=" + Num(c.last_change_time) + " " + c.last_commit + "\n";
  }
  ASSIGN_OR_RETURN(SqliteStmt pairs,
                   db_->Prepare("SELECT pa.path, pb.path, c.count FROM co_change c "
                                "CROSS JOIN history_paths pa ON pa.id = c.a "
                                "CROSS JOIN history_paths pb ON pb.id = c.b ORDER BY 1, 2"));
  RETURN_IF_ERROR(ForEachRow(pairs, [&] {
    out += "cochange ";
    AppendEscaped(&out, pairs.ColumnText(0));
    out += " ";
    AppendEscaped(&out, pairs.ColumnText(1));
    out += " " + Num(pairs.ColumnInt64(2)) + "\n";
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace engram::repo_index
