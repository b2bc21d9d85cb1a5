// SyncNgramMemory against a real index of a temporary git repository: the memory's files follow the
// index's (paths and blob ids) through edits, deletions and renames, and lookups see the new text.
#include <gtest/gtest.h>

#include <filesystem>

#include "repo_index/index/indexer.h"
#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/memory/ngram_memory.h"
#include "tests/unit/repo_index/test_repo.h"

namespace engram::repo_index {

void PrintTo(const NgramHit& hit, std::ostream* os) {
  *os << hit.path << ":" << hit.line << " @" << hit.token_offset;
}
void PrintTo(const NgramContinuation& c, std::ostream* os) {
  *os << "'" << c.text << "' (" << c.id << ") x" << c.count;
}

namespace {

using testing::TestRepo;

std::vector<std::pair<std::string, std::string>> IndexFiles(IndexStore& store) {
  auto files = store.ListFiles();
  EXPECT_TRUE(files.ok()) << files.status();
  std::vector<std::pair<std::string, std::string>> out;
  if (files.ok()) {
    for (const FileRecord& r : *files) out.emplace_back(r.path, r.blob_id);
  }
  return out;
}

std::vector<uint32_t> Ids(std::string_view text) {
  LexicalTokenizer lex;
  std::vector<MemoryToken> tokens;
  lex.Tokenize(text, &tokens);
  std::vector<uint32_t> ids;
  for (const MemoryToken& t : tokens) ids.push_back(t.id);
  return ids;
}

TEST(NgramSyncTest, FollowsTheIndexThroughEditsAndDeletions) {
  TestRepo repo(true);
  repo.Write("src/util.c", "int add_one(int x) {\n  return x + 1;\n}\n");
  repo.Write("src/main.c", "#include \"util.h\"\nint main(void) { return add_one(41); }\n");
  repo.Write("README.md", "# demo\n\nkfree skb after use\n");
  repo.Write("py/app.py", "def run():\n    return kfree_skb(skb)\n");
  repo.Git("add -A");
  repo.Git("commit -q -m init");

  IndexerOptions index_options;
  index_options.threads = 1;
  auto indexer = Indexer::Open(repo.root(), repo.scratch() + "/index.db", index_options);
  ASSERT_TRUE(indexer.ok()) << indexer.status();
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());

  const std::string dir = repo.scratch() + "/ngram";
  auto memory = NgramMemory::Open(dir, std::make_shared<LexicalTokenizer>());
  ASSERT_TRUE(memory.ok()) << memory.status();
  auto summary = SyncNgramMemory((*indexer)->store(), repo.root(), **memory, CancellationToken());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->files_added, 4u);
  EXPECT_EQ(summary->files_removed, 0u);
  EXPECT_GT(summary->tokens_added, 20u);
  EXPECT_EQ((*memory)->Files(), IndexFiles((*indexer)->store()));
  auto found = (*memory)->Find(Ids("return add_one"), 10);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->hits, (std::vector<NgramHit>{{"src/main.c", 6, 2}}));

  // Nothing changed: nothing is read.
  summary = SyncNgramMemory((*indexer)->store(), repo.root(), **memory, CancellationToken());
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->files_added, 0u);
  EXPECT_EQ(summary->files_unchanged, 4u);

  // Edit one file, delete one, rename one, add one; re-index; sync.
  repo.Write("src/util.c",
             "int add_one(int x) {\n  return x + 2;\n}\nint add_two(int y) { return y; }\n");
  repo.Remove("README.md");
  repo.Rename("py/app.py", "py/server.py");
  repo.Write("src/new.c", "void f(void) { return add_one(1); }\n");
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  summary = SyncNgramMemory((*indexer)->store(), repo.root(), **memory, CancellationToken());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->files_added, 3u);    // util.c, server.py, new.c
  EXPECT_EQ(summary->files_removed, 2u);  // README.md, app.py
  EXPECT_EQ(summary->files_unchanged, 1u);
  EXPECT_EQ((*memory)->Files(), IndexFiles((*indexer)->store()));
  found = (*memory)->Find(Ids("return add_one"), 10);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->hits, (std::vector<NgramHit>{{"src/main.c", 6, 2}, {"src/new.c", 3, 1}}));
  EXPECT_EQ((*memory)->Find(Ids("kfree skb after"), 10)->total, 0u);
  EXPECT_EQ((*memory)->Find(Ids("kfree_skb skb"), 10)->hits,
            (std::vector<NgramHit>{{"py/server.py", 3, 2}}));
  auto next = (*memory)->Continuations(Ids("int add_one int"), 3);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->tokens.size(), 1u);
  EXPECT_EQ(next->tokens[0].text, "x");

  // A changed file that can no longer be read is skipped, and its stale entry dropped.
  repo.Write("src/gone.c", "int gone;\n");
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  ASSERT_TRUE(
      SyncNgramMemory((*indexer)->store(), repo.root(), **memory, CancellationToken()).ok());
  repo.Write("src/gone.c", "int gone_now;\n");
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  repo.Remove("src/gone.c");
  summary = SyncNgramMemory((*indexer)->store(), repo.root(), **memory, CancellationToken());
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->files_skipped, 1u);
  EXPECT_EQ(summary->files_removed, 1u);
  for (const auto& [path, blob] : (*memory)->Files()) EXPECT_NE(path, "src/gone.c");

  // Persisted: a reopened memory still matches the index.
  memory->reset();
  memory = NgramMemory::Open(dir, std::make_shared<LexicalTokenizer>());
  ASSERT_TRUE(memory.ok()) << memory.status();
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  summary = SyncNgramMemory((*indexer)->store(), repo.root(), **memory, CancellationToken());
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ((*memory)->Files(), IndexFiles((*indexer)->store()));
}

TEST(NgramSyncTest, CancelledSyncReturnsCancelled) {
  TestRepo repo(true);
  repo.Write("a.c", "int a;\n");
  repo.Git("add -A");
  repo.Git("commit -q -m init");
  auto indexer = Indexer::Open(repo.root(), repo.scratch() + "/index.db", IndexerOptions{});
  ASSERT_TRUE(indexer.ok());
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  auto memory = NgramMemory::Open(repo.scratch() + "/ngram", std::make_shared<LexicalTokenizer>());
  ASSERT_TRUE(memory.ok());
  CancellationSource source;
  source.Cancel();
  auto summary = SyncNgramMemory((*indexer)->store(), repo.root(), **memory, source.token());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE((*memory)->Files().empty());
}

}  // namespace
}  // namespace engram::repo_index
