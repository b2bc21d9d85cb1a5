#include "repo_index/store/sqlite.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <utility>

#include "repo_index/store/code_tokenizer.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

constexpr size_t kMaxSqlInMessage = 160;

std::string ShortSql(std::string_view sql) {
  std::string out;
  out.reserve(std::min(sql.size(), kMaxSqlInMessage) + 3);
  bool space = false;
  for (char c : sql) {
    if (c == '\n' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= kMaxSqlInMessage) {
      out += "...";
      break;
    }
  }
  return out;
}

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
      return absl::StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CANTOPEN:
      return absl::StatusCode::kNotFound;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return absl::StatusCode::kInvalidArgument;
    case SQLITE_INTERRUPT:
    case SQLITE_ABORT:
      return absl::StatusCode::kAborted;
    default:
      return absl::StatusCode::kInternal;
  }
}

std::string DbPath(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name && *name ? std::string(name) : std::string(":memory:");
}

absl::Status Error(sqlite3* db, int rc, std::string_view sql) {
  std::string message = "sqlite: " + DbPath(db) + ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!sql.empty()) message += " (in \"" + ShortSql(sql) + "\")";
  return absl::Status(CodeFor(rc), message);
}

absl::Status PathError(absl::StatusCode code, const std::string& path, std::string_view what) {
  return absl::Status(code, "sqlite: " + path + ": " + std::string(what));
}

bool FileExists(const std::string& path, uint64_t* size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  if (size) *size = static_cast<uint64_t>(st.st_size);
  return true;
}

}  // namespace

// ---- SqliteStmt ------------------------------------------------------------------------------

SqliteStmt::SqliteStmt(SqliteStmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

SqliteStmt& SqliteStmt::operator=(SqliteStmt&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

SqliteStmt::~SqliteStmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStmt& SqliteStmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
  return *this;
}

SqliteStmt& SqliteStmt::BindStatic(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
  return *this;
}

SqliteStmt& SqliteStmt::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data() ? bytes.data() : "", bytes.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

SqliteStmt& SqliteStmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

absl::StatusOr<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status status = Error(db_, rc, sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  return status;
}

absl::Status SqliteStmt::Run() {
  while (true) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) continue;
    if (rc == SQLITE_DONE) break;
    absl::Status status = Error(db_, rc, sqlite3_sql(stmt_));
    Reset();
    return status;
  }
  Reset();
  return absl::OkStatus();
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStmt::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string_view SqliteStmt::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  if (!text) return {};
  return std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::string_view SqliteStmt::ColumnBlob(int col) const {
  const void* bytes = sqlite3_column_blob(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  if (!bytes) return {};
  return std::string_view(static_cast<const char*>(bytes), static_cast<size_t>(size));
}

double SqliteStmt::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }

bool SqliteStmt::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

// ---- SqliteDb --------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, Mode mode,
                                                         bool enable_wal) {
  uint64_t size = 0;
  bool exists = FileExists(path, &size);
  if (!exists && mode != Mode::kReadWriteCreate) {
    return PathError(absl::StatusCode::kNotFound, path, "no such database file");
  }
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = Error(raw, rc, "");
    sqlite3_close_v2(raw);
    return status;
  }
  sqlite3_extended_result_codes(raw, 0);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path, mode == Mode::kReadOnly));
  RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 5000"));

  // Validate before anything can write: setting the journal mode rewrites the header, so a file
  // that is not a database (or a damaged one) must be refused first and left as it was.
  if (exists && size > 0) {
    absl::Status probe = db->Exec("SELECT count(*) FROM sqlite_master");
    if (!probe.ok()) {
      if (probe.code() == absl::StatusCode::kDataLoss) {
        return PathError(absl::StatusCode::kDataLoss, path,
                         "not a database or damaged (" + std::string(probe.message()) + ")");
      }
      return probe;
    }
    if (mode != Mode::kReadOnly) {
      absl::Status check = db->QuickCheck();
      if (!check.ok()) return check;
    }
  }

  RETURN_IF_ERROR(RegisterCodeTokenizer(raw));
  RETURN_IF_ERROR(
      db->Exec("PRAGMA cache_size = -65536;"  // 64 MiB
               "PRAGMA temp_store = MEMORY;"
               "PRAGMA mmap_size = 268435456;"
               "PRAGMA foreign_keys = ON;"));
  if (enable_wal) RETURN_IF_ERROR(db->EnableWal());
  return db;
}

absl::Status SqliteDb::EnableWal() {
  if (read_only_) return absl::OkStatus();
  return Exec(
      "PRAGMA journal_mode = WAL;"
      "PRAGMA synchronous = NORMAL;"
      "PRAGMA journal_size_limit = 67108864;"  // truncate the WAL to 64 MiB after checkpoints
      "PRAGMA wal_autocheckpoint = 4096;");
}

SqliteDb::~SqliteDb() {
  if (db_) sqlite3_close_v2(db_);
}

absl::Status SqliteDb::Exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(db_, rc, sql);
  return absl::OkStatus();
}

absl::StatusOr<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (stmt) sqlite3_finalize(stmt);
    return Error(db_, rc, sql);
  }
  if (!stmt) return Error(db_, SQLITE_MISUSE, sql);  // empty statement
  return SqliteStmt(stmt, db_);
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_); }

absl::Status SqliteDb::RunCheck(std::string_view pragma) {
  ASSIGN_OR_RETURN(SqliteStmt st, Prepare(pragma));
  std::string problems;
  int count = 0;
  while (true) {
    absl::StatusOr<bool> row = st.Step();
    if (!row.ok()) {
      if (row.status().code() == absl::StatusCode::kDataLoss) {
        return PathError(absl::StatusCode::kDataLoss, path_,
                         "database is damaged (" + std::string(row.status().message()) + ")");
      }
      return row.status();
    }
    if (!*row) break;
    std::string_view line = st.ColumnText(0);
    if (line == "ok") continue;
    if (count < 5) {
      if (!problems.empty()) problems += "; ";
      problems += std::string(line);
    }
    ++count;
  }
  if (count == 0) return absl::OkStatus();
  return PathError(absl::StatusCode::kDataLoss, path_,
                   "database is damaged: " + std::to_string(count) + " problem(s): " + problems);
}

absl::Status SqliteDb::IntegrityCheck() { return RunCheck("PRAGMA integrity_check"); }

absl::Status SqliteDb::QuickCheck() { return RunCheck("PRAGMA quick_check"); }

// ---- SqliteTransaction -----------------------------------------------------------------------

absl::StatusOr<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(&db);
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

SqliteTransaction::~SqliteTransaction() {
  if (db_) (void)db_->Exec("ROLLBACK");
}

absl::Status SqliteTransaction::Commit() {
  if (!db_) return absl::FailedPreconditionError("sqlite: transaction already finished");
  absl::Status status = db_->Exec("COMMIT");
  if (status.ok()) db_ = nullptr;
  return status;
}

}  // namespace engram::repo_index
