// ProjectMemory on a real index of a temporary git repository: planted definitions, error strings
// and co-changed files are found, with reasons; budgets hold; the caller's own region is never
// returned.
#include "repo_index/query/workspace_memory.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "repo_index/index/indexer.h"
#include "repo_index/memory/ngram_memory.h"
#include "support/cancellation.h"
#include "tests/unit/repo_index/test_repo.h"

namespace engram::repo_index {
namespace {

using testing::TestRepo;

constexpr char kCrc[] = R"(#include "crc.h"

/* Computes the frobnication checksum of a buffer. */
unsigned compute_checksum_crc(const unsigned char *buf, unsigned len)
{
	unsigned crc = 0xffffffff;
	for (unsigned i = 0; i < len; i++)
		crc = (crc >> 8) ^ buf[i];
	return ~crc;
}
)";

constexpr char kCrcH[] = "unsigned compute_checksum_crc(const unsigned char *buf, unsigned len);\n";

constexpr char kFrob[] = R"(#include <stdio.h>

int frob_validate(int state)
{
	if (state > 41) {
		fprintf(stderr, "invalid frobnicator state %d\n", state);
		return -1;
	}
	return 0;
}
)";

std::string MainC() {
  std::string s = "#include \"crc.h\"\n#include \"frob.h\"\n\n";
  for (int i = 0; i < 30; ++i)
    s += "static int filler_" + std::to_string(i) + "(int x) { return x + " + std::to_string(i) +
         "; }\n";
  s += R"(
int send_packet(const unsigned char *payload, unsigned size)
{
	unsigned sum = compute_checksum_crc(payload, size);
	if (frob_validate((int)sum) < 0)
		return -1;
	return (int)sum;
}
)";
  return s;
}

class WorkspaceMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = std::make_unique<TestRepo>(/*git=*/true);
    repo_->Write("lib/crc.c", kCrc);
    repo_->Write("lib/crc.h", kCrcH);
    repo_->Write("drivers/frob.c", kFrob);
    repo_->Write("drivers/frob.h", "int frob_validate(int state);\n");
    repo_->Write("net/send.c", MainC());
    repo_->Write("net/send_stats.c", "int send_stats_total;\n");
    repo_->Write("tools/unrelated.py", "def hello():\n    return 'world'\n");
    repo_->Git("add -A");
    repo_->Git("commit -q -m initial");
    // net/send.c and net/send_stats.c change together three times.
    for (int i = 0; i < 3; ++i) {
      repo_->Write("net/send_stats.c",
                   "int send_stats_total;\nint send_stats_v" + std::to_string(i) + ";\n");
      std::string main_c = MainC() + "// revision " + std::to_string(i) + "\n";
      repo_->Write("net/send.c", main_c);
      repo_->Git("commit -q -am change" + std::to_string(i));
    }
    Index();
  }

  void Index() {
    db_ = repo_->scratch() + "/index.db";
    auto indexer = Indexer::Open(repo_->root(), db_, IndexerOptions{});
    ASSERT_TRUE(indexer.ok()) << indexer.status();
    auto summary = (*indexer)->Sync(nullptr, CancellationToken());
    ASSERT_TRUE(summary.ok()) << summary.status();
    auto tokenizer = std::make_shared<LexicalTokenizer>();
    auto ngram = NgramMemory::Open(repo_->scratch() + "/ngram", tokenizer);
    ASSERT_TRUE(ngram.ok()) << ngram.status();
    ngram_ = std::move(*ngram);
    auto synced = SyncNgramMemory((*indexer)->store(), repo_->root(), *ngram_, CancellationToken());
    ASSERT_TRUE(synced.ok()) << synced.status();
    auto memory = WorkspaceMemory::Open(db_, ngram_, tokenizer);
    ASSERT_TRUE(memory.ok()) << memory.status();
    memory_ = std::move(*memory);
  }

  RetrievalResult Retrieve(const RetrievalQuery& query, size_t budget) {
    auto result = memory_->Retrieve(query, budget);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : RetrievalResult{};
  }

  static int FileRank(const RetrievalResult& r, const std::string& path) {
    for (size_t i = 0; i < r.files.size(); ++i) {
      if (r.files[i].path == path) return static_cast<int>(i) + 1;
    }
    return 0;
  }
  static const std::vector<std::string>& SignalFilesOf(const RetrievalResult& r, Signal s) {
    for (const SignalRun& run : r.signals) {
      if (run.signal == s) return run.files;
    }
    static const std::vector<std::string> kNone;
    return kNone;
  }

  std::unique_ptr<TestRepo> repo_;
  std::string db_;
  std::shared_ptr<NgramMemory> ngram_;
  std::unique_ptr<WorkspaceMemory> memory_;
};

TEST_F(WorkspaceMemoryTest, FindsTheDefinitionOfTheCalledFunction) {
  RetrievalQuery query;
  query.text = "\tunsigned sum = compute_checksum_crc(payload, size);\n";
  query.current_file = "net/send.c";
  query.cursor_line = 37;
  RetrievalResult r = Retrieve(query, 4000);
  ASSERT_GE(FileRank(r, "lib/crc.c"), 1);
  EXPECT_LE(FileRank(r, "lib/crc.c"), 2);
  EXPECT_EQ(FileRank(r, "net/send.c"), 0);  // the current file is not a result file
  EXPECT_EQ(SignalFilesOf(r, Signal::kSymbol).front().substr(0, 4), "lib/");
  // The definition's chunk is an item, explained by the symbol signal.
  bool found = false;
  for (const ContextItem& item : r.items) {
    if (item.path == "lib/crc.c" &&
        item.text.find("compute_checksum_crc(const") != std::string::npos) {
      found = true;
      bool symbol_reason = false;
      for (const Reason& reason : item.reasons) {
        symbol_reason |= reason.signal == Signal::kSymbol &&
                         reason.detail.find("compute_checksum_crc") != std::string::npos;
      }
      EXPECT_TRUE(symbol_reason);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(WorkspaceMemoryTest, FindsTheSourceOfAnErrorMessage) {
  RetrievalQuery query;
  query.text = "$ ./tool\nerror: invalid frobnicator state 42\nAborted (core dumped)\n";
  RetrievalResult r = Retrieve(query, 4000);
  EXPECT_EQ(FileRank(r, "drivers/frob.c"), 1);
  const auto& ngram_files = SignalFilesOf(r, Signal::kNgram);
  ASSERT_FALSE(ngram_files.empty());
  EXPECT_EQ(ngram_files.front(), "drivers/frob.c");
  const auto& text_files = SignalFilesOf(r, Signal::kText);
  ASSERT_FALSE(text_files.empty());
  EXPECT_EQ(text_files.front(), "drivers/frob.c");
}

TEST_F(WorkspaceMemoryTest, CoChangedFilesOfTheCurrentFile) {
  RetrievalQuery query;
  query.text = "update the statistics";
  query.current_file = "net/send.c";
  query.cursor_line = 1;
  RetrievalResult r = Retrieve(query, 4000);
  const auto& co = SignalFilesOf(r, Signal::kCoChange);
  ASSERT_FALSE(co.empty());
  EXPECT_EQ(co.front(), "net/send_stats.c");
  EXPECT_GE(FileRank(r, "net/send_stats.c"), 1);
}

TEST_F(WorkspaceMemoryTest, RepoMapIsSeededByTheRequest) {
  RetrievalQuery query;
  query.current_file = "net/send.c";
  query.identifiers = {"frob_validate"};
  RetrievalResult r = Retrieve(query, 4000);
  ASSERT_FALSE(r.items.empty());
  const ContextItem& map = r.items.front();
  ASSERT_EQ(map.kind, ContextItem::Kind::kRepoMap);
  EXPECT_NE(map.text.find("frob_validate"), std::string::npos) << map.text;
  const auto& ranked = SignalFilesOf(r, Signal::kRepoMap);
  ASSERT_FALSE(ranked.empty());
}

TEST_F(WorkspaceMemoryTest, BudgetsAreNeverExceededAndTheCallersRegionIsNotReturned) {
  RetrievalQuery query;
  query.text = MainC();
  query.current_file = "net/send.c";
  query.cursor_line = 37;
  for (size_t budget : {0, 1, 10, 50, 120, 300, 1000, 8000, 100000}) {
    RetrievalResult r = Retrieve(query, budget);
    size_t sum = 0;
    LexicalTokenizer counter;
    for (const ContextItem& item : r.items) {
      EXPECT_EQ(item.tokens, counter.CountTokens(RenderContextItem(item)));
      sum += item.tokens;
      EXPECT_FALSE(!item.reasons.empty() && item.path == "net/send.c" && item.start_line <= 47 &&
                   item.end_line >= 27)
          << "own region returned: " << item.start_line << "-" << item.end_line;
      EXPECT_FALSE(item.reasons.empty());
    }
    EXPECT_EQ(sum, r.tokens_used);
    EXPECT_LE(sum, budget);
    if (budget >= 1000) {
      EXPECT_FALSE(r.items.empty());
    }
  }
}

TEST_F(WorkspaceMemoryTest, FollowsEditsAfterReindexing) {
  repo_->Write("lib/fresh.c", "int brand_new_helper_fn(int v)\n{\n\treturn v * 3;\n}\n");
  memory_.reset();
  ngram_.reset();
  Index();
  RetrievalQuery query;
  query.text = "x = brand_new_helper_fn(4);";
  RetrievalResult r = Retrieve(query, 2000);
  EXPECT_EQ(FileRank(r, "lib/fresh.c"), 1);
}

TEST_F(WorkspaceMemoryTest, EmptyAndUnknownRequestsAnswerEmpty) {
  RetrievalQuery query;
  query.text = "zzzz qqqq";
  query.current_file = "no/such/file.c";
  query.cursor_line = 3;
  RetrievalResult r = Retrieve(query, 1000);
  for (const ContextItem& item : r.items) EXPECT_EQ(item.kind, ContextItem::Kind::kRepoMap);
}

}  // namespace
}  // namespace engram::repo_index
