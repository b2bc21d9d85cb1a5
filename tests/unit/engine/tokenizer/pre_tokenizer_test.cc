#include "engine/tokenizer/pre_tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace engram::engine::tokenizer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

PreTokenizer Make(std::string_view name) {
  absl::StatusOr<PreTokenizer> pre = PreTokenizer::Create(name);
  EXPECT_TRUE(pre.ok()) << pre.status();
  return std::move(*pre);
}

TEST(PreTokenizer, UnknownNameIsAnError) {
  absl::StatusOr<PreTokenizer> pre = PreTokenizer::Create("gpt-4o");
  ASSERT_FALSE(pre.ok());
  EXPECT_EQ(pre.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pre.status().message(), HasSubstr("unknown pre-tokenizer 'gpt-4o'"));
  EXPECT_THAT(pre.status().message(), HasSubstr("deepseek-coder"));
}

TEST(PreTokenizer, KnowsTheDeepSeekNames) {
  EXPECT_THAT(PreTokenizer::KnownNames(),
              ElementsAre("deepseek-llm", "deepseek-coder", "deepseek-v3"));
  for (std::string_view name : PreTokenizer::KnownNames()) {
    EXPECT_TRUE(PreTokenizer::Create(name).ok()) << name;
  }
}

TEST(PreTokenizer, DeepSeekCoderSplitsDigitsAndNewlinesOneByOne) {
  const PreTokenizer pre = Make("deepseek-coder");
  // '=' is a math symbol, not punctuation: it stays in the gap with the spaces around it.
  EXPECT_THAT(pre.Split("int x = 42;\n\n"),
              ElementsAre("int", " x", " = ", "4", "2", ";", "\n", "\n"));
  EXPECT_THAT(pre.Split("Hello, world!"), ElementsAre("Hello", ",", " world", "!"));
  // `\s` is Unicode whitespace here: a no-break space joins the word after it.
  EXPECT_THAT(pre.Split("\u00A0nbsp"), ElementsAre("\u00A0nbsp"));
}

TEST(PreTokenizer, DeepSeekLlmKeepsNumberRunsAndCjkRuns) {
  const PreTokenizer pre = Make("deepseek-llm");
  EXPECT_THAT(pre.Split("x = 12345 "), ElementsAre("x", " =", " ", "12345", " "));
  EXPECT_THAT(pre.Split("\u00A0nbsp\u2009thin"), ElementsAre("\u00A0nbsp", "\u2009thin"));
  EXPECT_THAT(pre.Split("中文abc"), ElementsAre("中文", "abc"));
}

TEST(PreTokenizer, WhitespaceNeverMatchesAnExplicitRange) {
  // U+3000 and U+2003 lie in the published ranges U+0800..U+4E00 and U+3000..U+3002, but as
  // White_Space they are matched by \s only: they cannot join the ideographs or the full stops
  // (with the ranges taken literally, each text below would stay one piece after the CJK split).
  const PreTokenizer llm = Make("deepseek-llm");
  EXPECT_THAT(llm.Split("中\u3000文"), ElementsAre("中", "\u3000", "文"));
  EXPECT_THAT(llm.Split("。\u3000。"), ElementsAre("。", "\u3000", "。"));
  const PreTokenizer coder = Make("deepseek-coder");
  EXPECT_THAT(coder.Split("中\u2003文"), ElementsAre("中", "\u2003", "文"));
}

TEST(PreTokenizer, DeepSeekV3GroupsDigitsByThree) {
  const PreTokenizer pre = Make("deepseek-v3");
  EXPECT_THAT(pre.Split("1234567"), ElementsAre("123", "456", "7"));
  EXPECT_THAT(pre.Split("Hello, world!\n\n"), ElementsAre("Hello", ",", " world", "!\n\n"));
  EXPECT_THAT(pre.Split("a.b  c"), ElementsAre("a", ".b", " ", " c"));
  EXPECT_THAT(pre.Split("日本語です"), ElementsAre("日本語です"));
}

TEST(PreTokenizer, InvalidUtf8BecomesItsOwnPieces) {
  const PreTokenizer pre = Make("deepseek-v3");
  const std::string text = std::string(
      "ab\xFF"
      "cd\xE4\xB8",
      7);
  EXPECT_THAT(pre.Split(text), ElementsAre("ab", "\xFF", "cd", "\xE4\xB8"));
}

TEST(PreTokenizer, PiecesAlwaysConcatenateToTheInput) {
  std::mt19937 rng(7);
  const std::vector<std::string> alphabet = {"a",    "Z",    "9",      " ", "  ", "\n", "\r\n",
                                             "\t",   ".",    "'s",     "é", "世", "🚀",  "\u00A0",
                                             "\xFF", "\xE4", "\u0301", "$", "~",  "ـ"};
  for (std::string_view name : PreTokenizer::KnownNames()) {
    const PreTokenizer pre = Make(name);
    for (int round = 0; round < 300; ++round) {
      std::string text;
      const int n = static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
      std::string joined;
      for (std::string_view piece : pre.Split(text)) {
        EXPECT_FALSE(piece.empty());
        joined += piece;
      }
      EXPECT_EQ(joined, text) << name;
    }
  }
}

TEST(PreTokenizer, LongRunsDoNotExhaustTheMatcher) {
  const PreTokenizer pre = Make("deepseek-v3");
  const std::string spaces(1 << 20, ' ');
  EXPECT_THAT(pre.Split(spaces + "x"), ElementsAre(spaces.substr(1), " x"));
  const std::string mixed = std::string(100000, ' ') + std::string(100000, '\n');
  size_t total = 0;
  for (std::string_view piece : pre.Split(mixed)) total += piece.size();
  EXPECT_EQ(total, mixed.size());
}

TEST(PreTokenizer, SplitIsSafeFromManyThreads) {
  const PreTokenizer pre = Make("deepseek-coder");
  const std::string text = "for (int i = 0; i < 10; ++i) { sum += v[i]; }\n";
  const std::vector<std::string_view> expected = pre.Split(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (pre.Split(text) != expected) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace engram::engine::tokenizer
