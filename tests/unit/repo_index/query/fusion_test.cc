#include "repo_index/query/fusion.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "repo_index/query/query_terms.h"

namespace engram::repo_index {
namespace {

Candidate MakeCandidate(std::string path, uint32_t start, uint32_t end, Signal signal,
                        uint32_t rank) {
  Candidate c;
  c.path = std::move(path);
  c.start_line = start;
  c.end_line = end;
  for (uint32_t line = start; line <= end; ++line) c.text += "line " + std::to_string(line) + "\n";
  c.reason = Reason{signal, rank, 1.0 / rank, "r" + std::to_string(rank)};
  return c;
}

TEST(FuseFilesTest, ReciprocalRankFusionWithWeights) {
  FusionOptions options;
  options.rrf_k = 60;
  options.weights = {1.0, 0.5, 1.0, 1.0, 1.0, 1.0};
  SignalFiles symbol{Signal::kSymbol, {{"a.c", 3, ""}, {"b.c", 2, ""}}};
  SignalFiles ngram{Signal::kNgram, {{"b.c", 9, "x"}, {"c.c", 1, ""}}};
  std::vector<FusedFile> files = FuseFiles({symbol, ngram}, options);
  ASSERT_EQ(files.size(), 3u);
  // b.c: 1/62 + 0.5/61; a.c: 1/61; c.c: 0.5/62.
  EXPECT_EQ(files[0].path, "b.c");
  EXPECT_NEAR(files[0].score, 1.0 / 62 + 0.5 / 61, 1e-12);
  EXPECT_EQ(files[1].path, "a.c");
  EXPECT_NEAR(files[1].score, 1.0 / 61, 1e-12);
  EXPECT_EQ(files[2].path, "c.c");
  ASSERT_EQ(files[0].reasons.size(), 2u);
  EXPECT_EQ(files[0].reasons[0].signal, Signal::kSymbol);
  EXPECT_EQ(files[0].reasons[0].rank, 2u);
  EXPECT_EQ(files[0].reasons[1].signal, Signal::kNgram);
  EXPECT_EQ(files[0].reasons[1].rank, 1u);
  EXPECT_EQ(files[0].reasons[1].detail, "x");
}

TEST(FuseItemsTest, MergesOverlappingAndTouchingChunksAndKeepsBestRankPerSignal) {
  FusionOptions options;
  options.file_prior = 0;
  std::vector<Candidate> candidates = {
      MakeCandidate("a.c", 10, 20, Signal::kSymbol, 1),
      MakeCandidate("a.c", 15, 25, Signal::kText, 3),
      MakeCandidate("a.c", 26, 30, Signal::kText, 1),   // touches 25: merged
      MakeCandidate("a.c", 40, 45, Signal::kNgram, 2),  // apart
      MakeCandidate("b.c", 1, 3, Signal::kSymbol, 2)};
  std::vector<ContextItem> items = FuseItems(candidates, {}, options);
  ASSERT_EQ(items.size(), 3u);
  const ContextItem* merged = nullptr;
  for (const ContextItem& item : items) {
    if (item.path == "a.c" && item.start_line == 10) merged = &item;
  }
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->end_line, 30u);
  std::string expected;
  for (int line = 10; line <= 30; ++line) expected += "line " + std::to_string(line) + "\n";
  EXPECT_EQ(merged->text, expected);  // each line once, in order
  ASSERT_EQ(merged->reasons.size(), 2u);
  EXPECT_EQ(merged->reasons[1].signal, Signal::kText);
  EXPECT_EQ(merged->reasons[1].rank, 1u);  // the better of ranks 3 and 1
  EXPECT_EQ(items[0].start_line, 10u);     // two signals at rank 1 beat one
  for (size_t i = 1; i < items.size(); ++i) EXPECT_GE(items[i - 1].score, items[i].score);
}

TEST(FuseItemsTest, FilePriorLiftsItemsOfHighlyRankedFiles) {
  FusionOptions options;
  options.file_prior = 10;
  std::vector<Candidate> candidates = {MakeCandidate("a.c", 1, 2, Signal::kText, 1),
                                       MakeCandidate("b.c", 1, 2, Signal::kText, 2)};
  std::vector<FusedFile> files = {{"b.c", 1.0, {}}, {"a.c", 0.01, {}}};
  std::vector<ContextItem> items = FuseItems(candidates, files, options);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].path, "b.c");
}

TEST(PackTest, NeverExceedsTheBudgetAndSkipsOnlyWhatDoesNotFit) {
  LexicalTokenizer counter;
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<ContextItem> items;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      ContextItem item;
      item.path = "f" + std::to_string(i) + ".c";
      item.start_line = 1;
      item.end_line = 1 + static_cast<uint32_t>(rng() % 40);
      for (uint32_t l = 0; l < item.end_line; ++l)
        item.text += "int x" + std::to_string(l) + " = f(y);\n";
      items.push_back(std::move(item));
    }
    std::optional<ContextItem> map;
    if (rng() % 2) {
      ContextItem m;
      m.kind = ContextItem::Kind::kRepoMap;
      m.text = "a.c:\n  1│ int f(void)\n";
      map = m;
    }
    const size_t budget = rng() % 600;
    const size_t offered = items.size() + (map ? 1 : 0);
    PackResult packed = Pack(items, map, budget, counter);
    size_t sum = 0;
    for (const ContextItem& item : packed.items) {
      EXPECT_EQ(item.tokens, counter.CountTokens(RenderContextItem(item)));
      sum += item.tokens;
    }
    EXPECT_EQ(sum, packed.tokens_used);
    EXPECT_LE(sum, budget);
    EXPECT_EQ(packed.items.size() + packed.skipped, offered);
    // Every skipped item really did not fit in what was left when it was offered: anything at most
    // as large as the remaining room at the end would have been taken.
    for (const ContextItem& item : items) {
      const size_t cost = counter.CountTokens(RenderContextItem(item));
      bool taken = false;
      for (const ContextItem& p : packed.items) taken |= p.path == item.path;
      if (!taken) {
        EXPECT_GT(cost, budget - sum);
      }
    }
  }
}

TEST(PackTest, ZeroBudgetPacksNothing) {
  LexicalTokenizer counter;
  ContextItem item;
  item.path = "a.c";
  item.text = "x";
  PackResult packed = Pack({item}, std::nullopt, 0, counter);
  EXPECT_TRUE(packed.items.empty());
  EXPECT_EQ(packed.tokens_used, 0u);
}

TEST(QueryTermsTest, WeightsCursorCallsAndNamedIdentifiers) {
  std::vector<QueryTerm> terms = ExtractQueryTerms(
      "static int probe(struct device *dev)\n{\n  ret = usb_register_dev(intf, &cls);\n  return "
      "ret;\n}",
      "  ret = usb_register_dev(intf, &cls);\n", {"my_named"}, 10);
  ASSERT_FALSE(terms.empty());
  EXPECT_EQ(terms[0].word, "my_named");          // named: x8
  EXPECT_EQ(terms[1].word, "usb_register_dev");  // at the cursor and called
  EXPECT_TRUE(terms[1].call);
  EXPECT_TRUE(terms[1].at_cursor);
  for (const QueryTerm& t : terms) {
    EXPECT_FALSE(IsCommonKeyword(t.word)) << t.word;  // static, int, struct, return dropped
    EXPECT_GE(t.word.size(), 2u);
  }
  EXPECT_TRUE(ExtractQueryTerms("", "", {}, 10).empty());
  EXPECT_EQ(ExtractQueryTerms("a b c dd ee ff gg", "", {}, 2).size(), 2u);
}

}  // namespace
}  // namespace engram::repo_index
