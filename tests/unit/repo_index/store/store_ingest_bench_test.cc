// Ingest throughput of the store on synthetic kernel-like files (prints MB/s; asserts nothing about
// time). ENGRAM_STORE_BENCH_MB sets the amount of source (default 2, enough to check the bulk path
// under ctest; 200 in a Release build to benchmark); ENGRAM_STORE_BENCH_DIR keeps the database in
// that directory instead of a temporary one.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "repo_index/store/index_store.h"
#include "tests/unit/repo_index/store/store_test_util.h"

namespace engram::repo_index {
namespace {

using ::engram::repo_index::testing::SyntheticCorpus;
using ::engram::repo_index::testing::TempDir;
using ::engram::repo_index::testing::TestFile;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(StoreIngestBench, SyntheticKernelLikeSource) {
  const char* mb_env = std::getenv("ENGRAM_STORE_BENCH_MB");
  const size_t total_mb = mb_env ? static_cast<size_t>(std::atol(mb_env)) : 2;
  const char* dir_env = std::getenv("ENGRAM_STORE_BENCH_DIR");
  TempDir temp;
  const std::string db_path = std::string(dir_env ? dir_env : temp.path()) + "/bench.db";
  std::remove(db_path.c_str());
  std::remove((db_path + "-wal").c_str());
  std::remove((db_path + "-shm").c_str());

  constexpr size_t kFileBytes = 13 * 1024;  // the kernel's average .c/.h size
  constexpr size_t kBatchFiles = 2000;      // files per transaction
  constexpr size_t kGenerateAhead = 500;    // files generated per round (kept out of the timing)
  SyntheticCorpus corpus(1, 200000);
  auto store = IndexStore::Open(db_path);
  ASSERT_TRUE(store.ok()) << store.status();

  size_t bytes = 0, files = 0, symbols = 0, refs = 0, chunks = 0;
  double ingest_seconds = 0;
  bool open_batch = false;
  while (bytes < total_mb * 1024 * 1024) {
    std::vector<TestFile> round;
    for (size_t i = 0; i < kGenerateAhead; ++i) {
      round.push_back(corpus.MakeFile(
          "drivers/d" + std::to_string((files + i) / 100) + "/f" + std::to_string(files + i) + ".c",
          kFileBytes));
    }
    auto start = std::chrono::steady_clock::now();
    for (const TestFile& f : round) {
      if (!open_batch) {
        ASSERT_TRUE((*store)->Begin().ok());
        open_batch = true;
      }
      absl::Status status = (*store)->UpsertFile(f.record, f.facts, f.content, f.resolved);
      ASSERT_TRUE(status.ok()) << status;
      ++files;
      bytes += f.content.size();
      symbols += f.facts.symbols.size();
      refs += f.facts.references.size();
      chunks += f.facts.chunks.size();
      if (files % kBatchFiles == 0) {
        ASSERT_TRUE((*store)->Commit().ok());
        open_batch = false;
      }
    }
    ingest_seconds += Seconds(start);
  }
  auto start = std::chrono::steady_clock::now();
  if (open_batch) {
    ASSERT_TRUE((*store)->Commit().ok());
  }
  ingest_seconds += Seconds(start);

  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->files, files);
  EXPECT_EQ(stats->references, refs);
  const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  std::printf(
      "store ingest: %.1f MB of source, %zu files, %zu symbols, %zu references, %zu chunks in "
      "%.2f s: %.1f MB/s (%.0f references/s); database %.1f MB\n",
      mb, files, symbols, refs, chunks, ingest_seconds, mb / ingest_seconds,
      static_cast<double>(refs) / ingest_seconds,
      static_cast<double>(stats->database_bytes) / (1024.0 * 1024.0));

  // Query latencies on the result (printed only).
  auto timed = [&](const char* what, auto fn) {
    auto t0 = std::chrono::steady_clock::now();
    size_t n = fn();
    std::printf("  %-34s %8.2f ms (%zu results)\n", what, Seconds(t0) * 1000, n);
  };
  const std::string common = corpus.names()[0];
  timed("FindSymbols exact",
        [&] { return (*store)->FindSymbols(corpus.names()[5], NameMatch::kExact, 20)->size(); });
  timed("FindSymbols prefix 'sk'",
        [&] { return (*store)->FindSymbols("sk", NameMatch::kPrefix, 20)->size(); });
  timed("FindSymbols fuzzy (builds cache)",
        [&] { return (*store)->FindSymbols("skbrx", NameMatch::kFuzzy, 20)->size(); });
  timed("FindSymbols fuzzy (cached)",
        [&] { return (*store)->FindSymbols("lckirq", NameMatch::kFuzzy, 20)->size(); });
  timed("FindReferences (most common name)",
        [&] { return (*store)->FindReferences(common, 50)->size(); });
  timed("SearchText 'spin lock'", [&] { return (*store)->SearchText("spin lock", 20)->size(); });
  timed("SearchText rare word",
        [&] { return (*store)->SearchText(corpus.names()[199999], 20)->size(); });
  timed("re-upsert one file (own transaction)", [&] {
    TestFile f = corpus.MakeFile("drivers/d0/f0.c", kFileBytes);
    EXPECT_TRUE((*store)->UpsertFile(f.record, f.facts, f.content, f.resolved).ok());
    return size_t{1};
  });
}

}  // namespace
}  // namespace engram::repo_index
