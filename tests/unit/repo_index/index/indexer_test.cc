// The indexer end to end on real temporary git repositories: a full sync, incremental updates equal
// to a fresh index after many random edits, cancellation, and hostile files.
#include "repo_index/index/indexer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "tests/unit/repo_index/test_repo.h"

namespace engram::repo_index {
namespace {

using testing::TestRepo;

IndexerOptions SmallOptions() {
  IndexerOptions options;
  options.threads = 2;
  options.batch_files = 7;  // several transactions even for small trees
  return options;
}

absl::StatusOr<IndexSummary> FreshSync(const std::string& root, const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  auto indexer = Indexer::Open(root, db, SmallOptions());
  if (!indexer.ok()) return indexer.status();
  return (*indexer)->Sync(nullptr, CancellationToken());
}

std::string FreshDump(const std::string& root, const std::string& db) {
  auto summary = FreshSync(root, db);
  EXPECT_TRUE(summary.ok()) << summary.status();
  auto store = IndexStore::Open(db);
  EXPECT_TRUE(store.ok()) << store.status();
  auto dump = (*store)->CanonicalDump();
  EXPECT_TRUE(dump.ok()) << dump.status();
  return dump.ok() ? *dump : "";
}

TEST(IndexerTest, FullSyncIndexesEveryLanguageAndSkipsHostileFiles) {
  TestRepo repo(true);
  repo.Write("src/util.h", "/* Adds one. */\nint add_one(int x);\n");
  repo.Write("src/util.c", "#include \"util.h\"\nint add_one(int x) { return x + 1; }\n");
  repo.Write("src/main.c", "#include \"util.h\"\nint main(void) { return add_one(41); }\n");
  repo.Write("py/app.py", "import os\n\nclass App:\n    def run(self):\n        return os.getcwd()\n");
  repo.Write("go/server.go", "package server\n\ntype Server struct{}\n\nfunc (s *Server) Serve() {}\n");
  repo.Write("README.md", "# demo\n\nSome words about parseHttpRequest.\n");
  repo.Write("blob.bin", std::string("\x7f" "ELF\0\0\0binary", 13));
  repo.Write("huge.c", std::string(2u << 20, 'x'));
  repo.Write("bad_utf8.py", "def ok():\n    return '\xff\xfe'\n");
  repo.Git("add -A");
  repo.Git("commit -q -m init");
  ASSERT_EQ(::symlink("/etc/passwd", repo.Path("escape.txt").c_str()), 0);

  std::string db = repo.scratch() + "/index.db";
  auto indexer = Indexer::Open(repo.root(), db, SmallOptions());
  ASSERT_TRUE(indexer.ok()) << indexer.status();
  std::vector<IndexProgress> progress;
  auto summary = (*indexer)->Sync([&](const IndexProgress& p) { progress.push_back(p); }, CancellationToken());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->files, 7u);  // util.h util.c main.c app.py server.go README.md bad_utf8.py
  EXPECT_EQ(summary->files_parsed, 7u);
  EXPECT_EQ(summary->skipped.binary, 1u);
  EXPECT_EQ(summary->skipped.too_large, 1u);
  EXPECT_EQ(summary->skipped.symlink_escape, 1u);
  EXPECT_GE(summary->history_commits, 1u);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().phase, IndexProgress::Phase::kDone);

  IndexStore& store = (*indexer)->store();
  auto defs = store.FindSymbols("add_one", NameMatch::kExact, 10);
  ASSERT_TRUE(defs.ok()) << defs.status();
  std::set<std::string> def_paths;
  for (const SymbolHit& hit : *defs) def_paths.insert(hit.path);
  EXPECT_TRUE(def_paths.contains("src/util.c"));
  auto refs = store.FindReferences("add_one", 10);
  ASSERT_TRUE(refs.ok()) << refs.status();
  ASSERT_FALSE(refs->empty());
  EXPECT_EQ(refs->front().path, "src/main.c");
  auto serve = store.FindSymbols("Serve", NameMatch::kExact, 10);
  ASSERT_TRUE(serve.ok());
  ASSERT_EQ(serve->size(), 1u);
  EXPECT_EQ(serve->front().symbol.qualified_name, "Server.Serve");
  auto text = store.SearchText("http request", 10);
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_FALSE(text->empty());
  EXPECT_EQ(text->front().path, "README.md");
  auto imports = store.ListImports();
  ASSERT_TRUE(imports.ok());
  int resolved = 0;
  for (const ImportRow& row : *imports) {
    if (row.import.spec == "util.h") {
      ASSERT_TRUE(row.resolved_path.has_value()) << row.file_path;
      EXPECT_EQ(*row.resolved_path, "src/util.h");
      ++resolved;
    }
  }
  EXPECT_EQ(resolved, 2);

  // A second sync reads nothing: everything is unchanged.
  auto again = (*indexer)->Sync(nullptr, CancellationToken());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->files_parsed, 0u);
  EXPECT_EQ(again->files_unchanged, 7u);
  EXPECT_EQ(again->files_hashed, 0u);
  EXPECT_FALSE(again->history_updated);
}

// Random source files that import each other, so that adds and deletes change import resolution.
class EditGenerator {
 public:
  explicit EditGenerator(uint32_t seed) : rng_(seed) {}

  std::string Name(std::string_view prefix) { return std::string(prefix) + std::to_string(Pick(0, 40)); }
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string NewPath() {
    static constexpr std::string_view kDirs[] = {"src", "src/net", "lib", "pkg/a", "docs"};
    static constexpr std::string_view kExts[] = {".c", ".h", ".py", ".go", ".js", ".ts", ".rs", ".java", ".md"};
    std::string_view dir = kDirs[Pick(0, 4)];
    std::string_view ext = kExts[Pick(0, 8)];
    return std::string(dir) + "/" + Name("f") + std::string(ext);
  }

  std::string Content(const std::string& path) {
    std::string ext = path.substr(path.rfind('.'));
    std::string out;
    int n = Pick(1, 4);
    if (ext == ".c" || ext == ".h") {
      out += "#include \"" + Name("f") + ".h\"\n#include <stdio.h>\n";
      for (int i = 0; i < n; ++i) {
        out += "/* doc " + Name("d") + " */\nint " + Name("fn_") + "(int a) { return " + Name("fn_") + "(a) + " +
               std::to_string(i) + "; }\n";
      }
      out += "struct " + Name("st_") + " { int x; };\n";
    } else if (ext == ".py") {
      out += "import " + Name("f") + "\nfrom . import " + Name("f") + "\n\n";
      for (int i = 0; i < n; ++i) {
        out += "class " + Name("C") + ":\n    def " + Name("m_") + "(self):\n        return " + Name("fn_") +
               "()\n\n";
      }
    } else if (ext == ".go") {
      out += "package a\n\nimport \"fmt\"\n\n";
      for (int i = 0; i < n; ++i) out += "func " + Name("G") + "() int { fmt.Println(); return " + Name("H") + "() }\n";
    } else if (ext == ".js" || ext == ".ts") {
      out += "import { x } from './" + Name("f") + "';\n";
      for (int i = 0; i < n; ++i) out += "export function " + Name("js") + "() { return x(" + std::to_string(i) + "); }\n";
    } else if (ext == ".rs") {
      out += "mod " + Name("f") + ";\nuse crate::" + Name("f") + "::Thing;\n";
      for (int i = 0; i < n; ++i) out += "pub fn " + Name("r_") + "() -> u32 { " + Name("r_") + "() }\n";
    } else if (ext == ".java") {
      out += "package pkg.a;\nimport pkg.a." + Name("F") + ";\nclass " + Name("J") + " {\n";
      for (int i = 0; i < n; ++i) out += "  int " + Name("j") + "() { return " + Name("k") + "(); }\n";
      out += "}\n";
    } else {
      for (int i = 0; i < n; ++i) out += "Notes on " + Name("topic") + " and parseHttp" + Name("x") + ".\n\n";
    }
    return out;
  }

 private:
  std::mt19937 rng_;
};

TEST(IndexerTest, IncrementalEqualsFullAfterRandomEdits) {
  TestRepo repo(true);
  EditGenerator gen(20261123);
  std::set<std::string> files;
  for (int i = 0; i < 30; ++i) {
    std::string path = gen.NewPath();
    repo.Write(path, gen.Content(path));
    files.insert(path);
  }
  repo.Git("add -A");
  repo.Git("commit -q -m base");

  const std::string db = repo.scratch() + "/incremental.db";
  const std::string fresh_db = repo.scratch() + "/fresh.db";
  auto indexer = Indexer::Open(repo.root(), db, SmallOptions());
  ASSERT_TRUE(indexer.ok()) << indexer.status();
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());

  std::set<std::string> branches = {"main"};
  int checks = 0;
  for (int op = 1; op <= 200; ++op) {
    std::vector<std::string> changed;
    bool resync = false;
    int kind = gen.Pick(0, 99);
    if (kind < 25 || files.size() < 5) {  // add
      std::string path = gen.NewPath();
      repo.Write(path, gen.Content(path));
      files.insert(path);
      changed.push_back(path);
    } else if (kind < 60) {  // modify
      auto it = std::next(files.begin(), gen.Pick(0, static_cast<int>(files.size()) - 1));
      repo.Write(*it, gen.Content(*it));
      changed.push_back(*it);
    } else if (kind < 75) {  // delete
      auto it = std::next(files.begin(), gen.Pick(0, static_cast<int>(files.size()) - 1));
      repo.Remove(*it);
      changed.push_back(*it);
      files.erase(it);
    } else if (kind < 92) {  // rename (maybe across directories and languages)
      auto it = std::next(files.begin(), gen.Pick(0, static_cast<int>(files.size()) - 1));
      std::string to = gen.NewPath();
      if (files.contains(to)) continue;
      repo.Rename(*it, to);
      changed.push_back(*it);
      changed.push_back(to);
      files.erase(it);
      files.insert(to);
    } else {  // commit, then switch to another (maybe new) branch
      repo.Git("add -A");
      repo.Git("commit -q --allow-empty -m op" + std::to_string(op));
      std::string branch = "b" + std::to_string(gen.Pick(0, 3));
      if (branches.insert(branch).second) {
        repo.Git("checkout -q -b " + branch);
      } else {
        repo.Git("checkout -q " + branch);
      }
      files.clear();
      for (const std::string& path : [&] {
             std::vector<std::string> listed;
             std::string out = repo.Git("ls-files");
             size_t start = 0;
             while (start < out.size()) {
               size_t end = out.find('\n', start);
               if (end == std::string::npos) end = out.size();
               listed.push_back(out.substr(start, end - start));
               start = end + 1;
             }
             return listed;
           }()) {
        files.insert(path);
      }
      resync = true;
    }
    absl::StatusOr<IndexSummary> result = resync ? (*indexer)->Sync(nullptr, CancellationToken())
                                                 : (*indexer)->UpdatePaths(changed, CancellationToken());
    ASSERT_TRUE(result.ok()) << "op " << op << ": " << result.status();
    if (op % 20 == 0) {
      auto incremental = (*indexer)->store().CanonicalDump();
      ASSERT_TRUE(incremental.ok()) << incremental.status();
      std::string fresh = FreshDump(repo.root(), fresh_db);
      ASSERT_FALSE(fresh.empty());
      ASSERT_EQ(*incremental, fresh) << "incremental index differs from a fresh one after op " << op;
      ++checks;
    }
  }
  EXPECT_EQ(checks, 10);
}

TEST(IndexerTest, UpdatePathsWithoutSyncMatchesFreshIndex) {
  // Edits seen only through UpdatePaths (no Sync between): the file-level facts and import
  // resolution must already equal a fresh index.
  TestRepo repo(false);
  repo.Write("a/x.h", "int x(void);\n");
  repo.Write("a/main.c", "#include \"x.h\"\n#include \"y.h\"\nint main(void) { return x(); }\n");
  const std::string db = repo.scratch() + "/i.db";
  auto indexer = Indexer::Open(repo.root(), db, SmallOptions());
  ASSERT_TRUE(indexer.ok());
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  repo.Write("a/y.h", "int y(void);\n");  // makes main.c's second include resolve
  repo.Remove("a/x.h");                   // and the first one stop resolving
  auto update = (*indexer)->UpdatePaths({"a/y.h", "a/x.h", "./a/../../etc/passwd", "/abs"}, CancellationToken());
  ASSERT_TRUE(update.ok()) << update.status();
  EXPECT_EQ(update->files_parsed, 1u);
  EXPECT_EQ(update->files_deleted, 1u);
  EXPECT_GE(update->imports_reresolved, 2u);
  auto incremental = (*indexer)->store().CanonicalDump();
  ASSERT_TRUE(incremental.ok());
  EXPECT_EQ(*incremental, FreshDump(repo.root(), repo.scratch() + "/fresh.db"));
}

TEST(IndexerTest, CancelledSyncCompletesOnTheNextRun) {
  TestRepo repo(true);
  EditGenerator gen(7);
  for (int i = 0; i < 120; ++i) {
    std::string path = "src/m" + std::to_string(i) + ".c";
    repo.Write(path, gen.Content(path));
  }
  const std::string db = repo.scratch() + "/i.db";
  {
    auto indexer = Indexer::Open(repo.root(), db, SmallOptions());
    ASSERT_TRUE(indexer.ok());
    CancellationSource source;
    auto result = (*indexer)->Sync(
        [&](const IndexProgress& p) {
          if (p.phase == IndexProgress::Phase::kParse) source.Cancel();  // after the first batch
        },
        source.token());
    EXPECT_TRUE(absl::IsCancelled(result.status())) << result.status();
    auto stats = (*indexer)->store().Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_GT(stats->files, 0u) << "the batches committed before the cancel stay";
    EXPECT_LT(stats->files, 120u);
  }
  auto indexer = Indexer::Open(repo.root(), db, SmallOptions());
  ASSERT_TRUE(indexer.ok());
  auto result = (*indexer)->Sync(nullptr, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->files, 120u);
  auto dump = (*indexer)->store().CanonicalDump();
  ASSERT_TRUE(dump.ok());
  EXPECT_EQ(*dump, FreshDump(repo.root(), repo.scratch() + "/fresh.db"));
}

TEST(IndexerTest, RefusesADatabaseOfAnotherWorkspace) {
  TestRepo a(false), b(false);
  a.Write("x.c", "int x;\n");
  b.Write("y.c", "int y;\n");
  const std::string db = a.scratch() + "/i.db";
  ASSERT_TRUE(Indexer::Open(a.root(), db, SmallOptions()).ok());
  auto other = Indexer::Open(b.root(), db, SmallOptions());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(other.status().message()).find(db), std::string::npos);
  EXPECT_FALSE(Indexer::Open(a.root() + "/missing", db, SmallOptions()).ok());
}

TEST(IndexerTest, WorkspaceIdIsStableAndSafe) {
  EXPECT_EQ(WorkspaceId("/src/my proj"), WorkspaceId("/src/my proj"));
  EXPECT_NE(WorkspaceId("/a/proj"), WorkspaceId("/b/proj"));
  std::string id = WorkspaceId("/src/my proj");
  EXPECT_EQ(id.substr(0, 8), "my_proj-");
  EXPECT_EQ(id.size(), 8u + 12u);
  EXPECT_EQ(WorkspaceDatabasePath("/data", "/src/x"), "/data/workspaces/" + WorkspaceId("/src/x") + "/index.db");
}

}  // namespace
}  // namespace engram::repo_index
