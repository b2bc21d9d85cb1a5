#include "repo_index/scan/history.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/repo_index/scan/git_test_util.h"

namespace engram::repo_index {

void PrintTo(const FileChurn& f, std::ostream* os) {
  *os << "{" << f.path << " commits=" << f.commits << " +" << f.lines_added << " -"
      << f.lines_deleted << " t=" << f.last_change_time << " " << f.last_commit << "}";
}
void PrintTo(const CoChange& c, std::ostream* os) {
  *os << "{" << c.path_a << ", " << c.path_b << ": " << c.count << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::TempDir;

constexpr long long kT0 = 1600000000;

class HistoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { testing_util::UseIsolatedGitEnvironment(); }

  // Five commits; returns their ids, oldest first.
  std::vector<std::string> MakeHistory(const TempDir& repo) {
    std::vector<std::string> ids;
    repo.Git("init -q");
    repo.Write("src/a.c", "1\n2\n3\n");
    repo.Write("src/deep/b.c", "x\ny\n");
    repo.Git("add -A");
    repo.Commit("c1", kT0);
    ids.push_back(repo.GitOut("rev-parse HEAD"));
    repo.Write("src/a.c", "1\nTWO\n3\n4\n");  // +2 -1
    repo.Write("c.c", "c\n");
    repo.Git("add -A");
    repo.Commit("c2", kT0 + 100);
    ids.push_back(repo.GitOut("rev-parse HEAD"));
    repo.Write("src/a.c", "1\nTWO\n3\n4\n5\n");  // +1
    repo.Write("src/deep/b.c", "x\ny\nz\nw\n");  // +2
    repo.Git("add -A");
    repo.Commit("c3", kT0 + 200);
    ids.push_back(repo.GitOut("rev-parse HEAD"));
    repo.Git("rm -q c.c");
    repo.Commit("c4", kT0 + 300);
    ids.push_back(repo.GitOut("rev-parse HEAD"));
    for (int i = 1; i <= 4; ++i) repo.Write("d/d" + std::to_string(i) + ".c", "d\n");
    repo.Write("src/a.c", "1\nTWO\n3\n4\n5\n6\n");
    repo.Git("add -A");
    repo.Commit("c5: five files, over the limit of 3", kT0 + 400);
    ids.push_back(repo.GitOut("rev-parse HEAD"));
    return ids;
  }
};

TEST_F(HistoryTest, ChurnLastChangeAndCoChange) {
  TempDir repo;
  std::vector<std::string> c = MakeHistory(repo);
  HistoryOptions options;
  options.max_files_per_commit = 3;
  auto history = ReadHistory(repo.root(), options);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->head_commit, c[4]);
  EXPECT_EQ(history->commits_walked, 5u);
  // The over-limit commit c5 counts for commits and last change, not for lines or pairs.
  EXPECT_THAT(history->files, ElementsAre(FileChurn{"c.c", 2, 1, 1, kT0 + 300, c[3]},
                                          FileChurn{"d/d1.c", 1, 0, 0, kT0 + 400, c[4]},
                                          FileChurn{"d/d2.c", 1, 0, 0, kT0 + 400, c[4]},
                                          FileChurn{"d/d3.c", 1, 0, 0, kT0 + 400, c[4]},
                                          FileChurn{"d/d4.c", 1, 0, 0, kT0 + 400, c[4]},
                                          FileChurn{"src/a.c", 4, 6, 1, kT0 + 400, c[4]},
                                          FileChurn{"src/deep/b.c", 2, 4, 0, kT0 + 200, c[2]}));
  EXPECT_THAT(history->pairs,
              ElementsAre(CoChange{"c.c", "src/a.c", 1}, CoChange{"src/a.c", "src/deep/b.c", 2}));

  // With a higher limit c5 counts fully: its 5 files make 10 pairs.
  options.max_files_per_commit = 50;
  history = ReadHistory(repo.root(), options);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->pairs.size(), 12u);
  EXPECT_EQ(history->files.back(), (FileChurn{"src/deep/b.c", 2, 4, 0, kT0 + 200, c[2]}));
  EXPECT_EQ(history->files[5], (FileChurn{"src/a.c", 4, 7, 1, kT0 + 400, c[4]}));
}

TEST_F(HistoryTest, MaxCommitsLimitsTheWalk) {
  TempDir repo;
  std::vector<std::string> c = MakeHistory(repo);
  HistoryOptions options;
  options.max_commits = 2;
  options.max_files_per_commit = 3;
  auto history = ReadHistory(repo.root(), options);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->commits_walked, 2u);
  ASSERT_EQ(history->files.size(), 6u);
  EXPECT_EQ(history->files[0], (FileChurn{"c.c", 1, 0, 1, kT0 + 300, c[3]}));  // deleted in c4
  EXPECT_EQ(history->files[5], (FileChurn{"src/a.c", 1, 0, 0, kT0 + 400, c[4]}));
  EXPECT_THAT(history->pairs, IsEmpty());
}

TEST_F(HistoryTest, FollowsFirstParentsOnly) {
  TempDir repo;
  repo.Git("init -q");
  repo.Write("base.c", "base\n");
  repo.Git("add -A");
  repo.Commit("m1", kT0);
  repo.Git("checkout -q -b side");
  repo.Write("side.c", "side\n");
  repo.Write("base.c", "base\nside\n");
  repo.Git("add -A");
  repo.Commit("s1", kT0 + 10);
  repo.Git("checkout -q main");
  repo.Write("other.c", "other\n");
  repo.Git("add -A");
  repo.Commit("m2", kT0 + 20);
  repo.Git("merge -q --no-ff --no-edit side", "GIT_COMMITTER_DATE='@1600000030 +0000'");
  std::string merge = repo.GitOut("rev-parse HEAD");
  auto history = ReadHistory(repo.root(), HistoryOptions{});
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->commits_walked, 3u);  // m1, m2, the merge; not s1
  EXPECT_THAT(history->files,
              ElementsAre(FileChurn{"base.c", 2, 2, 0, kT0 + 30, merge},
                          FileChurn{"other.c", 1, 1, 0, kT0 + 20, repo.GitOut("rev-parse HEAD^1")},
                          FileChurn{"side.c", 1, 1, 0, kT0 + 30, merge}));
  EXPECT_THAT(history->pairs, ElementsAre(CoChange{"base.c", "side.c", 1}));
}

TEST_F(HistoryTest, FileReplacedByDirectory) {
  TempDir repo;
  repo.Git("init -q");
  repo.Write("x", "file\n");
  repo.Write("keep/k.c", "k\n");
  repo.Git("add -A");
  repo.Commit("file", kT0);
  repo.Git("rm -q x");
  repo.Write("x/y.c", "y\n");
  repo.Git("add -A");
  repo.Commit("dir", kT0 + 10);
  auto history = ReadHistory(repo.root(), HistoryOptions{});
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->files.size(), 3u);
  EXPECT_EQ(history->files[0].path, "keep/k.c");
  EXPECT_EQ(history->files[1], (FileChurn{"x", 2, 1, 1, kT0 + 10, history->head_commit}));
  EXPECT_EQ(history->files[2], (FileChurn{"x/y.c", 1, 1, 0, kT0 + 10, history->head_commit}));
  EXPECT_THAT(history->pairs, ElementsAre(CoChange{"keep/k.c", "x", 1}, CoChange{"x", "x/y.c", 1}));
}

TEST_F(HistoryTest, EmptyRepositoryAndPlainDirectoryHaveNoHistory) {
  TempDir empty;
  empty.Git("init -q");
  auto history = ReadHistory(empty.root(), HistoryOptions{});
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->head_commit, "");
  EXPECT_EQ(history->commits_walked, 0u);
  EXPECT_THAT(history->files, IsEmpty());

  TempDir plain;
  plain.Write("a.c", "a\n");
  history = ReadHistory(plain.root(), HistoryOptions{});
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->head_commit, "");
  EXPECT_THAT(history->files, IsEmpty());
  EXPECT_THAT(history->pairs, IsEmpty());
}

TEST_F(HistoryTest, CancelledReadStops) {
  TempDir repo;
  MakeHistory(repo);
  CancellationSource source;
  source.Cancel();
  HistoryOptions options;
  options.cancel = source.token();
  EXPECT_EQ(ReadHistory(repo.root(), options).status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace engram::repo_index
