// Thin RAII adapter over SQLite: every failure becomes an absl::Status naming the database and statement.
//
//   ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
//   ASSIGN_OR_RETURN(SqliteStmt st, db->Prepare("SELECT id FROM files WHERE path = ?1"));
//   st.Bind(1, "a.c");
//   while (true) { ASSIGN_OR_RETURN(bool row, st.Step()); if (!row) break; st.ColumnInt64(0); }
//
// Opening applies WAL, synchronous=NORMAL, foreign_keys=ON, a 5 s busy timeout and registers the
// "code" FTS5 tokenizer (store/code_tokenizer.h). An existing file is validated before anything can
// write to it: not a database → DataLoss; in the writable modes `PRAGMA quick_check` must pass too
// (DataLoss naming the path otherwise). A missing file in kReadOnly / kReadWrite → NotFound. A SqliteDb is used from one thread at a time (SQLite
// serialized mode is not relied on); open one per thread. SqliteStmt is movable, not copyable, and must
// not outlive its SqliteDb.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace engram::repo_index {

class SqliteStmt {
 public:
  SqliteStmt() = default;
  SqliteStmt(SqliteStmt&& other) noexcept;
  SqliteStmt& operator=(SqliteStmt&& other) noexcept;
  ~SqliteStmt();

  // Parameters are 1-based. Text is bound as a copy (SQLITE_TRANSIENT) unless BindStatic is used.
  SqliteStmt& Bind(int index, int64_t value);
  SqliteStmt& Bind(int index, std::string_view text);
  // No copy: `text` must stay valid until the statement is reset or rebound.
  SqliteStmt& BindStatic(int index, std::string_view text);
  SqliteStmt& BindBlob(int index, std::string_view bytes);
  SqliteStmt& BindNull(int index);
  // true: a row is ready; false: done. Errors name the statement's SQL.
  absl::StatusOr<bool> Step();
  // Runs to completion (for INSERT/UPDATE/DELETE), then resets.
  absl::Status Run();
  void Reset();  // reset + clear bindings

  int64_t ColumnInt64(int col) const;
  std::string_view ColumnText(int col) const;  // valid until the next Step/Reset
  std::string_view ColumnBlob(int col) const;  // valid until the next Step/Reset
  double ColumnDouble(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  friend class SqliteDb;
  SqliteStmt(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

class SqliteDb {
 public:
  enum class Mode { kReadOnly, kReadWrite, kReadWriteCreate };
  // `enable_wal` false leaves the journal mode as stored (EnableWal() later): a caller that must
  // refuse some files untouched checks them first, since switching to WAL rewrites the header.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, Mode mode,
                                                        bool enable_wal = true);
  // journal_mode=WAL, synchronous=NORMAL, journal_size_limit (writable modes only; no-op read-only).
  absl::Status EnableWal();
  ~SqliteDb();

  absl::Status Exec(std::string_view sql);  // one or more statements, no results
  absl::StatusOr<SqliteStmt> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  int64_t Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

  // "PRAGMA integrity_check" → OK, or DataLoss with the first problems reported.
  absl::Status IntegrityCheck();
  // "PRAGMA quick_check" (run by Open on an existing file in the writable modes), same results.
  absl::Status QuickCheck();

 private:
  SqliteDb(sqlite3* db, std::string path, bool read_only)
      : db_(db), path_(std::move(path)), read_only_(read_only) {}
  absl::Status RunCheck(std::string_view pragma);
  sqlite3* db_;
  std::string path_;
  bool read_only_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless Commit() succeeded.
class SqliteTransaction {
 public:
  static absl::StatusOr<SqliteTransaction> Begin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  ~SqliteTransaction();
  absl::Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_ = nullptr;
};

}  // namespace engram::repo_index
