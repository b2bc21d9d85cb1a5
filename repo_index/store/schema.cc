#include "repo_index/store/schema.h"

#include <charconv>
#include <string>

#include "repo_index/store/index_store.h"
#include "repo_index/store/sqlite.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

// Version 1. The rows of a file's symbols, references, imports and chunks have the key
// (file id << 24) | index in FileFacts, so one file's rows are one key range: no file index is
// needed, deleting a file is a range delete and fresh rows are appended. Column order matters for
// speed: large text columns come last so that reading the small ones never touches overflow pages.
// See docs/formats/index.md for the meaning of each column.
// chunks_fts is kept in step with chunks by IndexStore itself, not by triggers: a trigger runs in a
// statement savepoint, and FTS5 flushes its pending terms into a new segment at every savepoint,
// which more than halves the ingest rate.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE files(
  id                INTEGER PRIMARY KEY,
  path              TEXT NOT NULL UNIQUE,
  blob_id           TEXT NOT NULL,
  size              INTEGER NOT NULL,
  mtime_ns          INTEGER NOT NULL,
  inode             INTEGER NOT NULL,
  language          INTEGER NOT NULL,
  tracked           INTEGER NOT NULL,
  line_count        INTEGER NOT NULL,
  has_syntax_errors INTEGER NOT NULL
);

CREATE TABLE names(
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE INDEX names_lower ON names(lower(name));

CREATE TABLE symbols(
  id              INTEGER PRIMARY KEY,
  name_id         INTEGER NOT NULL,
  kind            INTEGER NOT NULL,
  parent          INTEGER,
  start_line      INTEGER NOT NULL,
  start_col       INTEGER NOT NULL,
  end_line        INTEGER NOT NULL,
  end_col         INTEGER NOT NULL,
  start_byte      INTEGER NOT NULL,
  end_byte        INTEGER NOT NULL,
  name_line       INTEGER NOT NULL,
  name_col        INTEGER NOT NULL,
  name_end_line   INTEGER NOT NULL,
  name_end_col    INTEGER NOT NULL,
  name_start_byte INTEGER NOT NULL,
  name_end_byte   INTEGER NOT NULL,
  qualified       TEXT,
  signature       TEXT NOT NULL,
  doc             TEXT
);
CREATE INDEX symbols_name ON symbols(name_id);

CREATE TABLE refs(
  id         INTEGER PRIMARY KEY,
  name_id    INTEGER NOT NULL,
  kind       INTEGER NOT NULL,
  enclosing  INTEGER,
  line       INTEGER NOT NULL,
  col        INTEGER NOT NULL,
  line_span  INTEGER NOT NULL,
  end_col    INTEGER NOT NULL,
  start_byte INTEGER NOT NULL,
  byte_len   INTEGER NOT NULL
);
CREATE INDEX refs_name ON refs(name_id);

CREATE TABLE imports(
  id       INTEGER PRIMARY KEY,
  kind     INTEGER NOT NULL,
  line     INTEGER NOT NULL,
  spec     TEXT NOT NULL,
  resolved TEXT
);

CREATE TABLE chunks(
  id         INTEGER PRIMARY KEY,
  start_line INTEGER NOT NULL,
  end_line   INTEGER NOT NULL,
  start_byte INTEGER NOT NULL,
  end_byte   INTEGER NOT NULL,
  symbol     INTEGER,
  scope      TEXT,
  text       TEXT NOT NULL
);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  text, content='chunks', content_rowid='id', tokenize='code');
INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('hashsize', 16777216);

CREATE TABLE history_paths(
  id   INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE
);
CREATE TABLE churn(
  path_id          INTEGER PRIMARY KEY,
  commits          INTEGER NOT NULL,
  lines_added      INTEGER NOT NULL,
  lines_deleted    INTEGER NOT NULL,
  last_change_time INTEGER NOT NULL,
  last_commit      TEXT NOT NULL
);
CREATE TABLE co_change(
  a     INTEGER NOT NULL,
  b     INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(a, b)
) WITHOUT ROWID;
CREATE INDEX co_change_b ON co_change(b, a);
)sql";

std::string NewerMessage(const std::string& path, int version) {
  return "index: " + path + ": schema version " + std::to_string(version) +
         " is newer than this build understands (" + std::to_string(kIndexSchemaVersion) +
         "); use a newer engram or delete the index to rebuild it";
}

absl::StatusOr<int> ReadVersionIn(SqliteDb& db) {
  ASSIGN_OR_RETURN(SqliteStmt tables,
                   db.Prepare("SELECT count(*), sum(name = 'meta') FROM sqlite_master "
                              "WHERE type = 'table'"));
  ASSIGN_OR_RETURN(bool row, tables.Step());
  int64_t table_count = row ? tables.ColumnInt64(0) : 0;
  bool has_meta = row && tables.ColumnInt64(1) > 0;
  if (!has_meta) {
    if (table_count == 0) return 0;
    return absl::FailedPreconditionError("index: " + db.path() +
                                         ": an SQLite database that is not an engram index");
  }
  ASSIGN_OR_RETURN(SqliteStmt st,
                   db.Prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) {
    return absl::DataLossError("index: " + db.path() + ": meta table has no schema_version");
  }
  std::string_view text = st.ColumnText(0);
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return absl::DataLossError("index: " + db.path() + ": unreadable schema_version '" +
                               std::string(text.substr(0, 40)) + "'");
  }
  return version;
}

}  // namespace

const std::vector<Migration>& IndexMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, kSchemaV1},
  };
  return kMigrations;
}

absl::StatusOr<int> ReadSchemaVersion(SqliteDb& db) { return ReadVersionIn(db); }

absl::Status MigrateIndexSchema(SqliteDb& db) {
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(db));
  ASSIGN_OR_RETURN(int version, ReadVersionIn(db));
  if (version > kIndexSchemaVersion) {
    return absl::FailedPreconditionError(NewerMessage(db.path(), version));
  }
  if (version == kIndexSchemaVersion) return absl::OkStatus();  // txn rolls back: nothing written
  for (const Migration& migration : IndexMigrations()) {
    if (migration.to_version <= version) continue;
    absl::Status status = db.Exec(migration.sql);
    if (!status.ok()) {
      return Annotate(status, "index: " + db.path() + ": migration to schema version " +
                                  std::to_string(migration.to_version));
    }
    ASSIGN_OR_RETURN(SqliteStmt set, db.Prepare("INSERT OR REPLACE INTO meta(key, value) "
                                                "VALUES ('schema_version', ?1)"));
    set.Bind(1, std::to_string(migration.to_version));
    RETURN_IF_ERROR(set.Run());
  }
  return txn.Commit();
}

absl::Status EnsureDeferredIndexes(SqliteDb& db) {
  return db.Exec(
      "CREATE INDEX IF NOT EXISTS names_lower ON names(lower(name));"
      "CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name_id);"
      "CREATE INDEX IF NOT EXISTS refs_name ON refs(name_id);");
}

absl::Status DropDeferredIndexes(SqliteDb& db) {
  return db.Exec(
      "DROP INDEX IF EXISTS names_lower;"
      "DROP INDEX IF EXISTS symbols_name;"
      "DROP INDEX IF EXISTS refs_name;");
}

absl::Status CheckSchemaCurrent(SqliteDb& db) {
  ASSIGN_OR_RETURN(int version, ReadVersionIn(db));
  if (version > kIndexSchemaVersion) {
    return absl::FailedPreconditionError(NewerMessage(db.path(), version));
  }
  if (version < kIndexSchemaVersion) {
    return absl::FailedPreconditionError("index: " + db.path() + ": schema version " +
                                         std::to_string(version) + " needs a migration to " +
                                         std::to_string(kIndexSchemaVersion) +
                                         "; open it read-write once");
  }
  return absl::OkStatus();
}

}  // namespace engram::repo_index
