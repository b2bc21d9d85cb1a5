#include "repo_index/scan/scanner.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/repo_index/scan/git_test_util.h"

namespace engram::repo_index {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::TempDir;

std::map<std::string, ScannedFile> ByPath(const ScanResult& scan) {
  std::map<std::string, ScannedFile> out;
  for (const ScannedFile& file : scan.files) out[file.path] = file;
  return out;
}

std::vector<std::string> Paths(const ScanResult& scan) {
  std::vector<std::string> out;
  for (const ScannedFile& file : scan.files) out.push_back(file.path);
  return out;
}

class ScannerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { testing_util::UseIsolatedGitEnvironment(); }

  // A repository in every state a file can be in.
  //   committed and unchanged: tracked.c, dir/nested/types.h, keep.log (ignored but force-added)
  //   committed, then modified: modified.c; committed, modified and staged: staged_mod.py
  //   committed, then deleted: deleted.c; staged, never committed: staged.c
  //   untracked: untracked.go, sub/notes.md
  //   ignored: app.log (.gitignore), sub/secret.txt (sub/.gitignore), excluded.txt
  //   (.git/info/exclude), cache.globalignore (core.excludesFile), out/ (ignored directory)
  void MakeMixedRepo(const TempDir& repo) {
    repo.Git("init -q");
    repo.Write(".gitignore", "*.log\nout/\n");
    repo.Write("sub/.gitignore", "secret.txt\n");
    repo.Write("tracked.c", "int tracked;\n");
    repo.Write("modified.c", "int modified;\n");
    repo.Write("staged_mod.py", "x = 1\n");
    repo.Write("deleted.c", "int deleted;\n");
    repo.Write("dir/nested/types.h", "namespace engram { class Foo; }\n");
    repo.Write("keep.log", "kept\n");
    repo.Git("add .gitignore sub/.gitignore tracked.c modified.c staged_mod.py deleted.c dir");
    repo.Git("add -f keep.log");
    repo.Commit("first", 1700000000);
    repo.Write("modified.c", "int modified = 42;\n");
    repo.Write("staged_mod.py", "x = 2\ny = 3\n");
    repo.Git("add staged_mod.py");
    repo.Remove("deleted.c");
    repo.Write("staged.c", "int staged;\n");
    repo.Git("add staged.c");
    repo.Write("untracked.go", "package main\n");
    repo.Write("sub/notes.md", "notes\n");
    repo.Write("app.log", "log\n");
    repo.Write("sub/secret.txt", "secret\n");
    repo.Write("excluded.txt", "excluded\n");
    repo.Write(".git/info/exclude", "excluded.txt\n");
    repo.Write("cache.globalignore", "cache\n");
    repo.Write("out/build.c", "int out;\n");
  }
};

TEST_F(ScannerTest, GitBlobIdMatchesGit) {
  EXPECT_EQ(GitBlobId(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  EXPECT_EQ(GitBlobId("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
  TempDir dir;
  std::string content(300000, 'x');
  for (size_t i = 0; i < content.size(); i += 61) content[i] = '\n';
  dir.Write("big.txt", content);
  EXPECT_EQ(GitBlobId(content), dir.GitOut("hash-object big.txt"));
}

TEST_F(ScannerTest, ReadAndHashReportsErrors) {
  TempDir dir;
  dir.Write("a.txt", "hello\n");
  dir.Symlink("a.txt", "link");
  auto content = ReadAndHash(dir.Abs("a.txt"), 100);
  ASSERT_TRUE(content.ok()) << content.status();
  EXPECT_EQ(content->bytes, "hello\n");
  EXPECT_EQ(content->blob_id, "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_EQ(content->stat.size, 6u);
  EXPECT_EQ(ReadAndHash(dir.Abs("missing"), 100).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadAndHash(dir.Abs("a.txt"), 5).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ReadAndHash(dir.Abs("link"), 100).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ScannerTest, GitRepositoryListsTrackedModifiedAndUntrackedFiles) {
  TempDir repo;
  MakeMixedRepo(repo);
  auto scan = ScanWorkspace(repo.root(), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_TRUE(scan->is_git);
  EXPECT_EQ(scan->root, repo.root());
  EXPECT_EQ(scan->head_commit, repo.GitOut("rev-parse HEAD"));
  EXPECT_EQ(scan->head_ref, "refs/heads/main");
  EXPECT_THAT(Paths(*scan), ElementsAre(".gitignore", "dir/nested/types.h", "keep.log",
                                        "modified.c", "staged.c", "staged_mod.py", "sub/.gitignore",
                                        "sub/notes.md", "tracked.c", "untracked.go"));
  for (const ScannedFile& file : scan->files) {
    EXPECT_EQ(file.blob_id, repo.GitOut("hash-object '" + file.path + "'")) << file.path;
    bool untracked = file.path == "untracked.go" || file.path == "sub/notes.md";
    EXPECT_EQ(file.tracked, !untracked) << file.path;
    EXPECT_GT(file.stat.mtime_ns, 0) << file.path;
    EXPECT_NE(file.stat.inode, 0u) << file.path;
  }
  auto files = ByPath(*scan);
  EXPECT_EQ(files["tracked.c"].language, Language::kC);
  EXPECT_EQ(files["dir/nested/types.h"].language, Language::kCpp);  // decided by content
  EXPECT_EQ(files["untracked.go"].language, Language::kGo);
  EXPECT_EQ(files["staged_mod.py"].language, Language::kPython);
  EXPECT_EQ(files["sub/notes.md"].language, Language::kUnknown);
  EXPECT_EQ(files["modified.c"].stat.size, 19u);
  // Only the files the index does not describe were read: modified.c and the two untracked ones.
  EXPECT_EQ(scan->hashed, 3u);
  EXPECT_EQ(scan->skipped.total(), 0u);
  EXPECT_THAT(scan->submodules, IsEmpty());
}

TEST_F(ScannerTest, RootInsideRepositoryScansOnlyItsSubtree) {
  TempDir repo;
  MakeMixedRepo(repo);
  auto scan = ScanWorkspace(repo.Abs("sub"), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_TRUE(scan->is_git);
  EXPECT_EQ(scan->root, repo.Abs("sub"));
  EXPECT_THAT(Paths(*scan), ElementsAre(".gitignore", "notes.md"));
  EXPECT_EQ(scan->files[0].blob_id, repo.GitOut("hash-object sub/.gitignore"));
  EXPECT_TRUE(scan->files[0].tracked);
  EXPECT_FALSE(scan->files[1].tracked);

  std::string reason;
  auto one = ScanOnePath(repo.Abs("sub"), "secret.txt", ScanOptions{}, &reason);
  EXPECT_EQ(one.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(reason, "ignored");
  one = ScanOnePath(repo.Abs("sub"), ".gitignore", ScanOptions{}, &reason);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->path, ".gitignore");
  EXPECT_TRUE(one->tracked);
}

TEST_F(ScannerTest, EmptyRepositoryHasNoHead) {
  TempDir repo;
  repo.Git("init -q");
  repo.Write("a.rs", "fn main() {}\n");
  auto scan = ScanWorkspace(repo.root(), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_TRUE(scan->is_git);
  EXPECT_EQ(scan->head_commit, "");
  EXPECT_EQ(scan->head_ref, "refs/heads/main");
  ASSERT_EQ(scan->files.size(), 1u);
  EXPECT_EQ(scan->files[0].blob_id, repo.GitOut("hash-object a.rs"));
  EXPECT_EQ(scan->files[0].language, Language::kRust);
  EXPECT_FALSE(scan->files[0].tracked);
}

TEST_F(ScannerTest, DetachedHeadHasNoRef) {
  TempDir repo;
  repo.Git("init -q");
  repo.Write("a.c", "int a;\n");
  repo.Git("add a.c");
  repo.Commit("one", 1700000000);
  repo.Git("checkout -q --detach");
  auto scan = ScanWorkspace(repo.root(), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->head_commit, repo.GitOut("rev-parse HEAD"));
  EXPECT_EQ(scan->head_ref, "");
}

// Content and name checks, in a git repository (committed and untracked) and in a plain directory.
void WriteSkippedFiles(const TempDir& dir, const std::string& outside) {
  dir.Write("ok.c", "int ok;\n");
  dir.Write("binary.dat", std::string("abc\0def", 7));
  dir.Write("huge.txt", std::string(2000, 'h'));
  dir.Write("model.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:abcd\nsize 123\n");
  dir.Write("bad\xff.c", "int bad;\n");
  dir.Write("tab\tname.c", "int tab;\n");
  dir.Write("real/inner.c", "int inner;\n");
  dir.Symlink("ok.c", "link_in.c");
  dir.Symlink("real", "linkdir");
  dir.Symlink(outside, "link_out");
  dir.Symlink(outside + "/secret.c", "link_out_file.c");
  dir.Symlink("missing.c", "dangling.c");
}

void ExpectSkipped(const ScanResult& scan) {
  EXPECT_THAT(Paths(scan), ElementsAre("ok.c", "real/inner.c"));
  EXPECT_EQ(scan.skipped.binary, 1u);
  EXPECT_EQ(scan.skipped.too_large, 1u);
  EXPECT_EQ(scan.skipped.lfs_pointer, 1u);
  EXPECT_EQ(scan.skipped.bad_path, 2u);
  EXPECT_EQ(scan.skipped.symlink, 2u);         // link_in.c, linkdir
  EXPECT_EQ(scan.skipped.symlink_escape, 3u);  // link_out, link_out_file.c, dangling.c
  EXPECT_EQ(scan.skipped.unreadable, 0u);
}

TEST_F(ScannerTest, SkipsAndCountsInPlainDirectory) {
  TempDir outside;
  outside.Write("secret.c", "int secret;\n");
  TempDir dir;
  WriteSkippedFiles(dir, outside.root());
  ScanOptions options;
  options.max_file_bytes = 1000;
  auto scan = ScanWorkspace(dir.root(), options);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_FALSE(scan->is_git);
  ExpectSkipped(*scan);
}

TEST_F(ScannerTest, SkipsAndCountsUntrackedInGit) {
  TempDir outside;
  outside.Write("secret.c", "int secret;\n");
  TempDir repo;
  repo.Git("init -q");
  WriteSkippedFiles(repo, outside.root());
  ScanOptions options;
  options.max_file_bytes = 1000;
  auto scan = ScanWorkspace(repo.root(), options);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_TRUE(scan->is_git);
  ExpectSkipped(*scan);
}

TEST_F(ScannerTest, SkipsAndCountsCommittedInGit) {
  TempDir outside;
  outside.Write("secret.c", "int secret;\n");
  TempDir repo;
  repo.Git("init -q");
  WriteSkippedFiles(repo, outside.root());
  repo.Git("-c core.quotepath=off add -A");
  repo.Commit("all", 1700000000);
  ScanOptions options;
  options.max_file_bytes = 1000;
  auto scan = ScanWorkspace(repo.root(), options);
  ASSERT_TRUE(scan.ok()) << scan.status();
  ExpectSkipped(*scan);
  EXPECT_EQ(scan->hashed, 0u);  // everything came from the index
  for (const ScannedFile& file : scan->files) EXPECT_TRUE(file.tracked) << file.path;
}

TEST_F(ScannerTest, PlainDirectoryWalkUsesDefaultIgnores) {
  TempDir dir;
  dir.Write("main.py", "print(1)\n");
  dir.Write(".editorconfig", "root = true\n");
  dir.Write("src/lib.ts", "export const x = 1;\n");
  dir.Write("tool", "#!/usr/bin/env python3\nprint(2)\n");
  for (const char* ignored :
       {".git/config", ".hidden/a.c", "node_modules/m/index.js", "__pycache__/x.pyc",
        "target/debug/a.rs", "build/a.c", "dist/a.js", ".venv/lib/site.py", "src/build/gen.c"}) {
    dir.Write(ignored, "ignored\n");
  }
  auto scan = ScanWorkspace(dir.root(), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_FALSE(scan->is_git);
  EXPECT_EQ(scan->head_commit, "");
  EXPECT_THAT(Paths(*scan), ElementsAre(".editorconfig", "main.py", "src/lib.ts", "tool"));
  for (const ScannedFile& file : scan->files) {
    EXPECT_EQ(file.blob_id, dir.GitOut("hash-object '" + file.path + "'")) << file.path;
    EXPECT_FALSE(file.tracked);
  }
  EXPECT_EQ(ByPath(*scan)["tool"].language, Language::kPython);
  EXPECT_EQ(ByPath(*scan)["src/lib.ts"].language, Language::kTypeScript);
  EXPECT_EQ(scan->hashed, 4u);

  std::string reason;
  EXPECT_EQ(
      ScanOnePath(dir.root(), "node_modules/m/index.js", ScanOptions{}, &reason).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(reason, "ignored");
  EXPECT_FALSE(ScanOnePath(dir.root(), "src/build/gen.c", ScanOptions{}, &reason).ok());
  EXPECT_EQ(reason, "ignored");
  auto one = ScanOnePath(dir.root(), "src/lib.ts", ScanOptions{}, &reason);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->blob_id, dir.GitOut("hash-object src/lib.ts"));
  EXPECT_EQ(reason, "");
}

TEST_F(ScannerTest, SubmodulesAreListedNotEntered) {
  TempDir lib("scan-lib");
  lib.Git("init -q");
  lib.Write("lib.c", "int lib;\n");
  lib.Git("add lib.c");
  lib.Commit("lib", 1700000000);
  TempDir repo;
  repo.Git("init -q");
  repo.Write("main.c", "int main;\n");
  repo.Git("add main.c");
  repo.Git("-c protocol.file.allow=always submodule add -q '" + lib.root() + "' vendor/lib");
  repo.Commit("with submodule", 1700000100);
  // An untracked nested repository is not entered either.
  repo.Write("nested/.keep", "");
  repo.Git("init -q nested/inner");
  repo.Write("nested/inner/x.c", "int x;\n");

  auto scan = ScanWorkspace(repo.root(), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(scan->submodules, ElementsAre("vendor/lib"));
  EXPECT_THAT(Paths(*scan), ElementsAre(".gitmodules", "main.c", "nested/.keep"));

  std::string reason;
  EXPECT_FALSE(ScanOnePath(repo.root(), "vendor/lib/lib.c", ScanOptions{}, &reason).ok());
  EXPECT_EQ(reason, "submodule");
  EXPECT_FALSE(ScanOnePath(repo.root(), "vendor/lib", ScanOptions{}, &reason).ok());
  EXPECT_EQ(reason, "submodule");
  EXPECT_FALSE(ScanOnePath(repo.root(), "nested/inner/x.c", ScanOptions{}, &reason).ok());
  EXPECT_EQ(reason, "submodule");
}

TEST_F(ScannerTest, StatCacheHitsSkipHashing) {
  TempDir repo;
  MakeMixedRepo(repo);
  auto first = ScanWorkspace(repo.root(), ScanOptions{});
  ASSERT_TRUE(first.ok()) << first.status();
  std::unordered_map<std::string, StatCacheEntry> cache;
  for (const ScannedFile& file : first->files) cache[file.path] = {file.stat, file.blob_id};
  ScanOptions options;
  options.stat_cache = &cache;

  auto second = ScanWorkspace(repo.root(), options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->hashed, 0u);
  ASSERT_EQ(second->files.size(), first->files.size());
  for (size_t i = 0; i < first->files.size(); ++i) {
    EXPECT_EQ(second->files[i].blob_id, first->files[i].blob_id) << first->files[i].path;
    EXPECT_EQ(second->files[i].language, first->files[i].language) << first->files[i].path;
    EXPECT_EQ(second->files[i].tracked, first->files[i].tracked) << first->files[i].path;
  }

  // The cache is trusted on a stat match: a planted id comes back without the file being read.
  cache["untracked.go"].blob_id = std::string(40, 'a');
  // A changed size misses the cache.
  repo.Write("sub/notes.md", "notes, longer now\n");
  auto third = ScanWorkspace(repo.root(), options);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->hashed, 1u);
  auto files = ByPath(*third);
  EXPECT_EQ(files["untracked.go"].blob_id, std::string(40, 'a'));
  EXPECT_EQ(files["sub/notes.md"].blob_id, repo.GitOut("hash-object sub/notes.md"));

  std::string reason;
  auto one = ScanOnePath(repo.root(), "untracked.go", options, &reason);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->blob_id, std::string(40, 'a'));
}

TEST_F(ScannerTest, ScanOnePathInGitRepository) {
  TempDir outside;
  outside.Write("secret.c", "int secret;\n");
  TempDir repo;
  MakeMixedRepo(repo);
  WriteSkippedFiles(repo, outside.root());
  ScanOptions options;
  options.max_file_bytes = 1000;

  struct Case {
    std::string path;
    std::string reason;  // empty: expect a file
  };
  const std::vector<Case> cases = {
      {"tracked.c", ""},
      {"modified.c", ""},
      {"staged.c", ""},
      {"staged_mod.py", ""},
      {"untracked.go", ""},
      {"keep.log", ""},
      {"dir/nested/types.h", ""},
      {"real/inner.c", ""},
      {"app.log", "ignored"},
      {"sub/secret.txt", "ignored"},
      {"excluded.txt", "ignored"},
      {"cache.globalignore", "ignored"},
      {"out/build.c", "ignored"},
      {".git/config", "ignored"},
      {"binary.dat", "binary"},
      {"huge.txt", "too_large"},
      {"model.bin", "lfs_pointer"},
      {"bad\xff.c", "bad_path"},
      {"tab\tname.c", "bad_path"},
      {"link_in.c", "symlink"},
      {"linkdir", "symlink"},
      {"linkdir/inner.c", "symlink"},
      {"link_out", "symlink_escape"},
      {"link_out/secret.c", "symlink_escape"},
      {"dangling.c", "symlink_escape"},
      {"../outside.c", "outside_root"},
      {"/etc/passwd", "outside_root"},
      {"a/./b.c", "outside_root"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    std::string reason = "unset";
    auto file = ScanOnePath(repo.root(), c.path, options, &reason);
    if (c.reason.empty()) {
      ASSERT_TRUE(file.ok()) << file.status();
      EXPECT_EQ(reason, "");
      EXPECT_EQ(file->path, c.path);
      EXPECT_EQ(file->blob_id, repo.GitOut("hash-object '" + c.path + "'"));
      bool untracked = c.path == "untracked.go" || c.path == "real/inner.c";
      EXPECT_EQ(file->tracked, !untracked);
    } else {
      EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound) << file.status();
      EXPECT_EQ(reason, c.reason);
    }
  }
  // Absent files: NotFound without a skip reason.
  for (const char* gone : {"deleted.c", "never.c", "dir/nested", "nodir/x.c"}) {
    std::string reason = "unset";
    EXPECT_EQ(ScanOnePath(repo.root(), gone, options, &reason).status().code(),
              absl::StatusCode::kNotFound)
        << gone;
    EXPECT_EQ(reason, "") << gone;
  }
  EXPECT_EQ(ScanOnePath(repo.root(), "dir/nested/types.h", options, nullptr)->language,
            Language::kCpp);
}

TEST_F(ScannerTest, MissingRootIsNotFound) {
  EXPECT_EQ(ScanWorkspace("/nonexistent/engram/root", ScanOptions{}).status().code(),
            absl::StatusCode::kNotFound);
  TempDir dir;
  dir.Write("file", "x");
  EXPECT_EQ(ScanWorkspace(dir.Abs("file"), ScanOptions{}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ScannerTest, CancelledScanStops) {
  TempDir repo;
  MakeMixedRepo(repo);
  CancellationSource source;
  source.Cancel();
  ScanOptions options;
  options.cancel = source.token();
  EXPECT_EQ(ScanWorkspace(repo.root(), options).status().code(), absl::StatusCode::kCancelled);

  TempDir plain;
  for (int i = 0; i < 600; ++i)
    plain.Write("d" + std::to_string(i % 7) + "/f" + std::to_string(i), "x\n");
  EXPECT_EQ(ScanWorkspace(plain.root(), options).status().code(), absl::StatusCode::kCancelled);
}

TEST_F(ScannerTest, ManyFilesAreHashedInParallelDeterministically) {
  TempDir repo;
  repo.Git("init -q");
  for (int i = 0; i < 1500; ++i) {
    repo.Write("d" + std::to_string(i % 13) + "/f" + std::to_string(i) + ".c",
               "int v" + std::to_string(i) + ";\n");
  }
  repo.Git("add d0 d1 d2 d3");
  repo.Commit("some", 1700000000);
  auto scan = ScanWorkspace(repo.root(), ScanOptions{});
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_EQ(scan->files.size(), 1500u);
  EXPECT_TRUE(
      std::is_sorted(scan->files.begin(), scan->files.end(),
                     [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; }));
  for (const ScannedFile& file : scan->files) {
    std::string number = file.path.substr(file.path.find("/f") + 2);
    number.resize(number.size() - 2);
    EXPECT_EQ(file.blob_id, GitBlobId("int v" + number + ";\n")) << file.path;
  }
}

}  // namespace
}  // namespace engram::repo_index
