#include "repo_index/memory/memory_tokenizer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace engram::repo_index {
namespace {

std::vector<std::string> Words(std::string_view text) {
  LexicalTokenizer lex;
  std::vector<MemoryToken> tokens;
  lex.Tokenize(text, &tokens);
  std::vector<std::string> words;
  for (const MemoryToken& t : tokens) {
    EXPECT_EQ(t.id, LexicalTokenizer::HashWord(text.substr(t.begin, t.end - t.begin)));
    words.emplace_back(text.substr(t.begin, t.end - t.begin));
  }
  return words;
}

TEST(LexicalTokenizerTest, SplitsWordsAndDropsPunctuation) {
  EXPECT_EQ(Words("static int foo_bar(struct device *dev, u32 $x) { return 0x1F; }"),
            (std::vector<std::string>{"static", "int", "foo_bar", "struct", "device", "dev", "u32",
                                      "$x", "return", "0x1F"}));
  EXPECT_EQ(Words(""), std::vector<std::string>{});
  EXPECT_EQ(Words("  ;;  "), std::vector<std::string>{});
  EXPECT_EQ(Words("größe=1"), (std::vector<std::string>{"größe", "1"}));
}

TEST(LexicalTokenizerTest, InvalidUtf8IsKeptNotFatal) {
  std::string text = "a\xff\xfe b";
  EXPECT_EQ(Words(text), (std::vector<std::string>{"a\xff\xfe", "b"}));
}

TEST(LexicalTokenizerTest, IdsAreStableAndDistinguishWords) {
  EXPECT_EQ(LexicalTokenizer::HashWord("kfree"), LexicalTokenizer::HashWord("kfree"));
  EXPECT_NE(LexicalTokenizer::HashWord("kfree"), LexicalTokenizer::HashWord("kfre"));
  EXPECT_NE(LexicalTokenizer::HashWord("ab"), LexicalTokenizer::HashWord("ba"));
}

TEST(LexicalTokenizerTest, CountTokensEstimatesBpeCost) {
  LexicalTokenizer lex;
  EXPECT_EQ(lex.CountTokens(""), 0u);
  EXPECT_EQ(lex.CountTokens("a b"), 2u);
  EXPECT_EQ(lex.CountTokens("f(x);\n"), 6u);                     // f ( x ) ; \n
  EXPECT_EQ(lex.CountTokens("abcdefgh"), 1u);                    // up to 8 bytes: one
  EXPECT_EQ(lex.CountTokens("abcdefghi"), 2u);                   // 9 bytes: two
  EXPECT_EQ(lex.CountTokens("abcdefghijklmnopqrstuvwxyz"), 4u);  // 8 + 18 → 1 + 3
}

}  // namespace
}  // namespace engram::repo_index
