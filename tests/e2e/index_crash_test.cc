// kill -9 during indexing: the database stays consistent (PRAGMA integrity_check) and the next run
// completes with exactly the index a clean run builds. Drives the real engram-index binary.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "repo_index/index/indexer.h"
#include "repo_index/store/index_store.h"
#include "tests/unit/repo_index/test_repo.h"

namespace engram::repo_index {
namespace {

using testing::TestRepo;

void RemoveDb(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

pid_t SpawnSync(const std::string& root, const std::string& db) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(ENGRAM_INDEX_BIN, ENGRAM_INDEX_BIN, "sync", "--root", root.c_str(), "--db", db.c_str(), "--threads",
            "2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

std::string Dump(const std::string& db) {
  auto store = IndexStore::Open(db);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return "";
  auto dump = (*store)->CanonicalDump();
  EXPECT_TRUE(dump.ok()) << dump.status();
  return dump.ok() ? *dump : "";
}

TEST(IndexCrashTest, KillNineAtRandomPointsNeverCorrupts) {
  TestRepo repo(true);
  std::mt19937 rng(1123);
  for (int i = 0; i < 800; ++i) {
    std::string body;
    for (int f = 0; f < 12; ++f) {
      body += "/* function " + std::to_string(f) + " */\nstatic int f" + std::to_string(i) + "_" + std::to_string(f) +
              "(int a) {\n  return helper_" + std::to_string(rng() % 100) + "(a) + " + std::to_string(f) + ";\n}\n";
    }
    repo.Write("src/d" + std::to_string(i % 20) + "/m" + std::to_string(i) + ".c", "#include \"common.h\"\n" + body);
  }
  repo.Write("src/common.h", "int helper(int);\n");
  repo.Git("add -A");
  repo.Git("commit -q -m base");
  for (int c = 0; c < 30; ++c) {
    repo.Write("src/d" + std::to_string(c % 20) + "/m" + std::to_string(c) + ".c", "int changed_" + std::to_string(c) + "(void) { return 0; }\n");
    repo.Git("commit -q -a -m change" + std::to_string(c));
  }

  // The reference: a clean, uninterrupted run (timed to spread the kills over it).
  const std::string reference_db = repo.scratch() + "/reference.db";
  auto start = std::chrono::steady_clock::now();
  pid_t pid = SpawnSync(repo.root(), reference_db);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "engram-index sync failed";
  const auto full = std::chrono::steady_clock::now() - start;
  const std::string reference = Dump(reference_db);
  ASSERT_FALSE(reference.empty());

  const std::string db = repo.scratch() + "/crash.db";
  int killed_midway = 0;
  for (int round = 0; round < 20; ++round) {
    if (round % 4 != 3) RemoveDb(db);  // most rounds start from nothing; every fourth resumes
    auto delay = std::chrono::duration_cast<std::chrono::microseconds>(full) * (rng() % 800) / 1000;
    pid = SpawnSync(repo.root(), db);
    std::this_thread::sleep_for(delay);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) ++killed_midway;

    auto store = IndexStore::Open(db);
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status();
    EXPECT_TRUE((*store)->IntegrityCheck().ok()) << "round " << round;
    store->reset();

    auto indexer = Indexer::Open(repo.root(), db, IndexerOptions{});
    ASSERT_TRUE(indexer.ok()) << indexer.status();
    auto summary = (*indexer)->Sync(nullptr, CancellationToken());
    ASSERT_TRUE(summary.ok()) << "round " << round << ": " << summary.status();
    indexer->reset();
    ASSERT_EQ(Dump(db), reference) << "round " << round << " (killed after " << delay.count() << " us)";
  }
  EXPECT_GE(killed_midway, 10) << "most kills should land while indexing";
}

}  // namespace
}  // namespace engram::repo_index
