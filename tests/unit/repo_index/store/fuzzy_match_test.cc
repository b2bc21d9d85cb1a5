#include "repo_index/store/fuzzy_match.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace engram::repo_index {
namespace {

std::vector<std::string> TopNames(const FuzzyNameList& list, std::string_view pattern, size_t k) {
  std::vector<std::string> out;
  for (const FuzzyMatch& m : list.Top(pattern, k)) out.emplace_back(m.name);
  return out;
}

TEST(FuzzyMatchTest, SubsequenceOnly) {
  EXPECT_TRUE(FuzzyScore("phr", "parse_http_request").has_value());
  EXPECT_TRUE(FuzzyScore("PHR", "parse_http_request").has_value());
  EXPECT_FALSE(FuzzyScore("tsp", "parse_http_request").has_value());
  EXPECT_FALSE(FuzzyScore("", "anything").has_value());
  EXPECT_FALSE(FuzzyScore("abc", "ab").has_value());
  EXPECT_TRUE(FuzzyScore("abc", "abc").has_value());
}

TEST(FuzzyMatchTest, WordStartsBeatScatteredLetters) {
  // 'p', 'h', 'r' at word starts beats the same letters inside words.
  EXPECT_GT(*FuzzyScore("phr", "parse_http_request"), *FuzzyScore("phr", "sphere_upper"));
  EXPECT_GT(*FuzzyScore("phr", "parseHttpRequest"), *FuzzyScore("phr", "graphRenderer"));
  // Consecutive beats scattered.
  EXPECT_GT(*FuzzyScore("http", "http_get"), *FuzzyScore("http", "hot_tip_tops"));
  // Exact name beats a longer one with the same prefix; shorter names first.
  EXPECT_GT(*FuzzyScore("parse", "parse"), *FuzzyScore("parse", "parse_all"));
  EXPECT_GT(*FuzzyScore("parse", "parse_all"), *FuzzyScore("parse", "parse_all_the_things"));
}

TEST(FuzzyMatchTest, TopRanksAndBreaksTiesByName) {
  FuzzyNameList list;
  int64_t id = 0;
  for (const char* name : {"sphere_upper", "parse_http_request", "parseHttpRequest", "graph_rank",
                           "phr", "unrelated", "zzz_phr", "aaa_phr"}) {
    list.Add(++id, name);
  }
  std::vector<std::string> top = TopNames(list, "phr", 8);
  ASSERT_GE(top.size(), 4u);
  EXPECT_EQ(top[0], "phr");
  EXPECT_THAT(top, ::testing::Not(::testing::Contains("unrelated")));
  // aaa_phr and zzz_phr score the same; the name breaks the tie.
  auto pos = [&](const std::string& n) {
    return std::find(top.begin(), top.end(), n) - top.begin();
  };
  EXPECT_LT(pos("aaa_phr"), pos("zzz_phr"));
  EXPECT_LT(pos("parse_http_request"), pos("sphere_upper"));
  EXPECT_TRUE(list.Top("", 5).empty());
  EXPECT_TRUE(list.Top("phr", 0).empty());
}

TEST(FuzzyMatchTest, LongNamesAndOddBytes) {
  std::string long_name(1000, 'a');
  long_name += "xyz";
  EXPECT_FALSE(FuzzyScore("xyz", long_name).has_value());  // past the 256-byte window
  EXPECT_TRUE(FuzzyScore("aaa", long_name).has_value());
  EXPECT_TRUE(FuzzyScore("\xc3\xa9", "caf\xc3\xa9").has_value());
  EXPECT_FALSE(FuzzyScore(std::string(65, 'a'), std::string(100, 'a')).has_value());
}

// 500k generated identifiers; prints the latency (not asserted: timing depends on the machine).
TEST(FuzzyMatchTest, LatencyOn500kNames) {
  static const char* kWords[] = {
      "alloc", "buf",  "cache", "dev",   "dma",  "entry",   "get",    "hash",   "init",  "irq",
      "list",  "lock", "map",   "net",   "node", "page",    "parse",  "pci",    "put",   "queue",
      "read",  "req",  "ring",  "skb",   "sock", "spin",    "state",  "task",   "timer", "update",
      "usb",   "wait", "work",  "write", "Http", "Request", "Buffer", "Handler"};
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> word(0, sizeof(kWords) / sizeof(kWords[0]) - 1);
  std::uniform_int_distribution<int> parts(1, 4);
  FuzzyNameList list;
  list.Reserve(500000, 500000 * 24);
  for (int i = 0; i < 500000; ++i) {
    std::string name;
    for (int p = parts(rng); p > 0; --p) name += std::string(kWords[word(rng)]) + "_";
    name += std::to_string(i);
    list.Add(i, name);
  }
  for (const char* pattern : {"phr", "sklock", "initdev", "x", "parse_http_request_42", "zq"}) {
    auto start = std::chrono::steady_clock::now();
    std::vector<FuzzyMatch> top = list.Top(pattern, 20);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("fuzzy 500k names, pattern '%s': %.2f ms, %zu results, best '%s'\n", pattern, ms,
                top.size(), top.empty() ? "" : std::string(top[0].name).c_str());
  }
}

}  // namespace
}  // namespace engram::repo_index
