// Bad input never crashes or hangs the parser: random bytes, invalid UTF-8, NUL bytes, deep
// nesting, one huge line; oversized sources are refused. Results stay sane (ranges inside the
// source, names valid UTF-8).
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "repo_index/parse/parser.h"
#include "tests/unit/repo_index/parse/test_util.h"

namespace engram::repo_index {
namespace {

using namespace std::string_literals;

bool ValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size() || c == 0) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

void ExpectSane(const FileFacts& facts, std::string_view source) {
  for (const Symbol& symbol : facts.symbols) {
    EXPECT_LE(symbol.range.start_byte, symbol.range.end_byte);
    EXPECT_LE(symbol.range.end_byte, source.size());
    EXPECT_LE(symbol.range.start_line, symbol.range.end_line);
    EXPECT_TRUE(ValidUtf8(symbol.name)) << symbol.name;
    EXPECT_TRUE(ValidUtf8(symbol.qualified_name));
    EXPECT_TRUE(ValidUtf8(symbol.signature));
    EXPECT_TRUE(ValidUtf8(symbol.doc));
    EXPECT_LE(symbol.signature.size(), 200u);
    EXPECT_LT(symbol.parent, static_cast<int32_t>(facts.symbols.size()));
  }
  for (const Reference& ref : facts.references) {
    EXPECT_LE(ref.range.end_byte, source.size());
    EXPECT_TRUE(ValidUtf8(ref.name));
  }
  for (const Import& import : facts.imports) EXPECT_TRUE(ValidUtf8(import.spec));
  uint32_t previous_end = 0;
  for (const Chunk& chunk : facts.chunks) {
    EXPECT_GE(chunk.start_byte, previous_end);
    EXPECT_LT(chunk.start_byte, chunk.end_byte);
    EXPECT_LE(chunk.end_byte, source.size());
    EXPECT_LE(chunk.end_byte - chunk.start_byte, ParseOptions().chunk_max_bytes);
    previous_end = chunk.end_byte;
  }
}

const Language kAll[] = {Language::kC,  Language::kCpp,  Language::kPython, Language::kJavaScript, Language::kTypeScript,
                         Language::kTsx, Language::kGo, Language::kRust,   Language::kJava};

TEST(ParserRobustnessTest, RandomBytes) {
  std::mt19937 rng(1234);
  Parser parser;
  for (Language language : kAll) {
    for (int round = 0; round < 8; ++round) {
      std::string source(1000 + round * 700, '\0');
      for (char& c : source) c = static_cast<char>(rng() & 0xFF);
      auto facts = parser.Parse(language, source);
      ASSERT_TRUE(facts.ok()) << LanguageName(language) << ": " << facts.status();
      ExpectSane(*facts, source);
    }
  }
}

TEST(ParserRobustnessTest, InvalidUtf8AndNulInNames) {
  Parser parser;
  std::string source = "int f\xff\xfeo(void) { return 0; }\nint g\0h(void);\nstruct s\xc3 { int a; };\n"s;
  source += "void ok\0ay(void) {}\n"s;
  auto facts = parser.Parse(Language::kC, source);
  ASSERT_TRUE(facts.ok()) << facts.status();
  ExpectSane(*facts, source);
  std::string python = "def caf\xc3\xa9(x):\n    \"\"\"doc \xff\"\"\"\n    return x\n\x00\x00" "def g(): pass\n"s;
  auto py = parser.Parse(Language::kPython, python);
  ASSERT_TRUE(py.ok());
  ExpectSane(*py, python);
}

TEST(ParserRobustnessTest, DeepNesting) {
  Parser parser;
  const int depth = 10000;
  struct Case {
    Language language;
    std::string source;
  };
  std::vector<Case> cases;
  cases.push_back({Language::kC, "int f(void) {" + std::string(depth, '{') + std::string(depth, '}') + "}\n"});
  cases.push_back({Language::kJavaScript, "let x = " + std::string(depth, '[') + std::string(depth, ']') + ";\n"});
  cases.push_back({Language::kPython, "x = " + std::string(depth, '(') + "1" + std::string(depth, ')') + "\n"});
  std::string classes;
  for (int i = 0; i < 200; ++i) classes += std::string(i * 1, ' ') + "class C" + std::to_string(i) + ":\n";
  classes += std::string(200, ' ') + "pass\n";
  cases.push_back({Language::kPython, classes});
  std::string namespaces;
  for (int i = 0; i < 2000; ++i) namespaces += "namespace n" + std::to_string(i) + " { ";
  namespaces += "void f() {}" + std::string(2000, '}');
  cases.push_back({Language::kCpp, namespaces});
  for (const Case& c : cases) {
    auto facts = parser.Parse(c.language, c.source);
    if (!facts.ok()) {
      EXPECT_EQ(facts.status().code(), absl::StatusCode::kDeadlineExceeded) << facts.status();
      continue;
    }
    ExpectSane(*facts, c.source);
  }
}

TEST(ParserRobustnessTest, OneMebibyteLine) {
  Parser parser;
  std::string source = "int table[] = {";
  while (source.size() < (1u << 20) - 64) source += "1,";
  source += "};";
  ParseOptions options;
  options.max_bytes = 2u << 20;
  options.timeout_ms = 120000;  // a million tokens on one line: slow under sanitizers and load
  auto facts = parser.Parse(Language::kC, source, options);
  ASSERT_TRUE(facts.ok()) << facts.status();
  ExpectSane(*facts, source);
  ASSERT_FALSE(facts->chunks.empty());
  for (const Chunk& chunk : facts->chunks) EXPECT_EQ(chunk.start_line, 1u);
  EXPECT_EQ(facts->chunks.back().end_byte, source.size());
}

TEST(ParserRobustnessTest, OversizedSourceIsInvalidArgument) {
  Parser parser;
  ParseOptions options;
  options.max_bytes = 100;
  auto facts = parser.Parse(Language::kC, std::string(101, ' '), options);
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(parser.Parse(Language::kC, std::string(100, ' '), options).ok());
}

TEST(ParserRobustnessTest, TimeoutIsDeadlineExceededAndParserStaysUsable) {
  Parser parser;
  std::string source;
  for (int i = 0; i < 20000; ++i) source += "int f" + std::to_string(i) + "(int a) { return a + 1; }\n";
  ParseOptions options;
  options.max_bytes = 4u << 20;
  options.timeout_ms = 0;
  auto facts = parser.Parse(Language::kC, source, options);
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kDeadlineExceeded) << facts.status();
  auto again = parser.Parse(Language::kC, "int g(void) { return 1; }\n");
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->symbols.size(), 1u);
  EXPECT_EQ(again->symbols[0].name, "g");
}

TEST(ParserRobustnessTest, EmptySource) {
  Parser parser;
  for (Language language : kAll) {
    auto facts = parser.Parse(language, "");
    ASSERT_TRUE(facts.ok());
    EXPECT_TRUE(facts->symbols.empty());
    EXPECT_TRUE(facts->chunks.empty());
  }
}

}  // namespace
}  // namespace engram::repo_index
