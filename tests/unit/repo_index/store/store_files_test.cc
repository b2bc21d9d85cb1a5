// Opening files that are not (or no longer) good indexes: refused, named, and left as they were.
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "repo_index/store/index_store.h"
#include "repo_index/store/schema.h"
#include "repo_index/store/sqlite.h"
#include "tests/unit/repo_index/store/store_test_util.h"

namespace engram::repo_index {
namespace {

using ::engram::repo_index::testing::ReadBytes;
using ::engram::repo_index::testing::SyntheticCorpus;
using ::engram::repo_index::testing::TempDir;
using ::engram::repo_index::testing::TestFile;
using ::engram::repo_index::testing::WriteBytes;
using ::testing::HasSubstr;

// Builds a small index at `path` and closes it (the WAL is checkpointed into the main file).
void BuildIndex(const std::string& path, int files = 8) {
  auto store = IndexStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  SyntheticCorpus corpus(3, 400);
  ASSERT_TRUE((*store)->Begin().ok());
  for (int i = 0; i < files; ++i) {
    TestFile f = corpus.MakeFile("f" + std::to_string(i) + ".c", 6000);
    ASSERT_TRUE((*store)->UpsertFile(f.record, f.facts, f.content, f.resolved).ok());
  }
  ASSERT_TRUE((*store)->Commit().ok());
}

// Both open modes refuse `path` with `code` and a message naming it; the bytes stay the same and no
// journal file is left behind. A read-only open skips quick_check (it must stay cheap for reader
// threads), so damage below the schema shows only in IntegrityCheck there: `read_only_opens` says
// whether OpenReadOnly must refuse too.
void ExpectRefused(const std::string& path, absl::StatusCode code, bool read_only_opens = false) {
  const std::string before = ReadBytes(path);
  auto rw = IndexStore::Open(path);
  ASSERT_FALSE(rw.ok());
  EXPECT_EQ(rw.status().code(), code) << rw.status();
  EXPECT_THAT(std::string(rw.status().message()), HasSubstr(path));
  auto ro = IndexStore::OpenReadOnly(path);
  if (!ro.ok()) {
    EXPECT_EQ(ro.status().code(), code) << ro.status();
    EXPECT_THAT(std::string(ro.status().message()), HasSubstr(path));
  } else {
    EXPECT_FALSE(read_only_opens) << "read-only open accepted " << path;
    absl::Status check = (*ro)->IntegrityCheck();
    EXPECT_EQ(check.code(), absl::StatusCode::kDataLoss) << check;
    EXPECT_THAT(std::string(check.message()), HasSubstr(path));
  }
  ro = absl::UnknownError("closed");
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
}

// The b-tree pages of `path` (pages that quick_check must look at), from SQLite's dbstat table.
std::vector<int64_t> BtreePages(const std::string& path) {
  std::vector<int64_t> pages;
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
  EXPECT_TRUE(db.ok()) << db.status();
  auto st = (*db)->Prepare(
      "SELECT pageno FROM dbstat WHERE pagetype IN ('internal', 'leaf') ORDER BY pageno");
  EXPECT_TRUE(st.ok()) << st.status();
  while (*st->Step()) pages.push_back(st->ColumnInt64(0));
  return pages;
}

TEST(StoreFilesTest, MissingFile) {
  TempDir dir;
  auto ro = IndexStore::OpenReadOnly(dir.File("absent.db"));
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(ro.status().message()), HasSubstr(dir.File("absent.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("absent.db")));
  auto raw = SqliteDb::Open(dir.File("absent.db"), SqliteDb::Mode::kReadWrite);
  EXPECT_EQ(raw.status().code(), absl::StatusCode::kNotFound);
  // A missing directory cannot be created into.
  auto rw = IndexStore::Open(dir.File("no/such/dir/index.db"));
  EXPECT_FALSE(rw.ok());
}

TEST(StoreFilesTest, MigratesAnEmptyFile) {
  TempDir dir;
  WriteBytes(dir.File("empty.db"), "");
  auto store = IndexStore::Open(dir.File("empty.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->GetMeta("schema_version")->value_or(""), std::to_string(kIndexSchemaVersion));
  ASSERT_TRUE((*store)->IntegrityCheck().ok());
  store->reset();
  auto again = IndexStore::OpenReadOnly(dir.File("empty.db"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->ListFiles()->empty());
}

TEST(StoreFilesTest, MigrationsAreOrderedAndEndAtCurrentVersion) {
  const auto& migrations = IndexMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].to_version, static_cast<int>(i) + 1);
  }
  EXPECT_EQ(migrations.back().to_version, kIndexSchemaVersion);
}

TEST(StoreFilesTest, ReadOnlyOpenOfUnmigratedDatabaseIsRefused) {
  TempDir dir;
  WriteBytes(dir.File("empty.db"), "");
  auto ro = IndexStore::OpenReadOnly(dir.File("empty.db"));
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(StoreFilesTest, RefusesNewerSchemaVersion) {
  TempDir dir;
  const std::string path = dir.File("index.db");
  BuildIndex(path, 1);
  {
    auto raw = SqliteDb::Open(path, SqliteDb::Mode::kReadWrite, /*enable_wal=*/false);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_TRUE((*raw)->Exec("PRAGMA journal_mode = DELETE").ok());
    ASSERT_TRUE((*raw)
                    ->Exec("UPDATE meta SET value = '" + std::to_string(kIndexSchemaVersion + 1) +
                           "' WHERE key = 'schema_version'")
                    .ok());
  }
  ExpectRefused(path, absl::StatusCode::kFailedPrecondition, true);
  auto rw = IndexStore::Open(path);
  EXPECT_THAT(std::string(rw.status().message()), HasSubstr("newer"));
}

TEST(StoreFilesTest, RefusesForeignSqliteDatabase) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  {
    auto raw = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, /*enable_wal=*/false);
    ASSERT_TRUE(raw.ok());
    ASSERT_TRUE((*raw)->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  }
  ExpectRefused(path, absl::StatusCode::kFailedPrecondition, true);
}

TEST(StoreFilesTest, RefusesGarbage) {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  for (const std::string& bytes :
       {std::string("this is not a database, just some text\n"), std::string(8192, '\x5a'),
        std::string("SQLite format 3") + std::string(4000, '\x01')}) {
    WriteBytes(path, bytes);
    ExpectRefused(path, absl::StatusCode::kDataLoss, true);
  }
}

TEST(StoreFilesTest, RefusesTruncatedDatabase) {
  TempDir dir;
  const std::string path = dir.File("index.db");
  BuildIndex(path);
  const std::string full = ReadBytes(path);
  ASSERT_GT(full.size(), 8u * 4096);
  for (size_t keep : {full.size() / 2, full.size() - 4096, size_t{4096} * 3, size_t{1000}}) {
    WriteBytes(path, std::string_view(full).substr(0, keep));
    ExpectRefused(path, absl::StatusCode::kDataLoss);
  }
}

TEST(StoreFilesTest, RefusesDamagedPages) {
  TempDir dir;
  const std::string path = dir.File("index.db");
  BuildIndex(path);
  const std::string full = ReadBytes(path);
  const std::vector<int64_t> pages = BtreePages(path);
  ASSERT_GT(pages.size(), 8u);
  // The page-type byte of b-tree pages (page 1 holds the file header first), spread over the file.
  for (size_t i = 1; i < pages.size(); i += std::max<size_t>(1, pages.size() / 9)) {
    std::string damaged = full;
    damaged[static_cast<size_t>(pages[i] - 1) * 4096] = '\x42';
    WriteBytes(path, damaged);
    SCOPED_TRACE("page " + std::to_string(pages[i]));
    ExpectRefused(path, absl::StatusCode::kDataLoss);
  }
  // Page 1's schema b-tree header (right after the 100-byte file header).
  std::string damaged = full;
  for (size_t i = 0; i < 8; ++i) damaged[100 + i] = '\xff';
  WriteBytes(path, damaged);
  ExpectRefused(path, absl::StatusCode::kDataLoss, true);
  // Undamaged again: opens.
  WriteBytes(path, full);
  auto store = IndexStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->IntegrityCheck().ok());
}

TEST(StoreFilesTest, SqliteErrorsNameTheDatabaseAndStatement) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  auto st = (*db)->Prepare("SELECT * FROM no_such_table");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.status().message()), HasSubstr(dir.File("x.db")));
  EXPECT_THAT(std::string(st.status().message()), HasSubstr("no_such_table"));
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES (1)").ok());
  absl::Status dup = (*db)->Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(dup.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(dup.message()), HasSubstr("INSERT INTO t"));
  {
    auto txn = SqliteTransaction::Begin(**db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES (2)").ok());
  }  // rolled back
  auto count = (*db)->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt64(0), 1);
}

}  // namespace
}  // namespace engram::repo_index
