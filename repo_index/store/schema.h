// The index's SQL schema (docs/formats/index.md) and the migrations that build it.
//
//   ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
//   RETURN_IF_ERROR(MigrateIndexSchema(*db));     // empty file → current schema, in one
//   transaction
//
// `schema_version` in the meta table names the last migration applied; an empty database is version
// 0. Migrations are append-only: migration N turns version N-1 into N and is never edited once
// released. A database whose version is newer than kIndexSchemaVersion is refused
// (FailedPrecondition naming the path) and left as it is; so is a non-empty SQLite database without
// the meta table (not an index). Thread-safety: functions of the SqliteDb they are given (one
// thread at a time).
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace engram::repo_index {

class SqliteDb;

struct Migration {
  int to_version;
  std::string_view sql;  // one or more statements
};

// Every migration, in order; the last one's to_version is kIndexSchemaVersion.
const std::vector<Migration>& IndexMigrations();

// The version stored in `db` (0 for an empty database); FailedPrecondition for a database that is
// not an engram index, DataLoss for an unreadable version.
absl::StatusOr<int> ReadSchemaVersion(SqliteDb& db);

// Applies the pending migrations in one IMMEDIATE transaction (nothing when up to date).
absl::Status MigrateIndexSchema(SqliteDb& db);

// The secondary indexes a bulk load builds at its end instead of updating row by row (names by
// lower-case name, symbols and references by name). Ensure… creates whichever are missing (Open
// calls it, so a bulk load cut short by a crash is repaired); Drop… removes them.
absl::Status EnsureDeferredIndexes(SqliteDb& db);
absl::Status DropDeferredIndexes(SqliteDb& db);

// Checks that `db` holds exactly the current schema (for read-only opens, which cannot migrate).
absl::Status CheckSchemaCurrent(SqliteDb& db);

}  // namespace engram::repo_index
