// The generated-header fast path: a define-only header gives the same macros as tree-sitter does on
// the same lines, and anything else falls through to the real parser.
#include "repo_index/parse/define_table.h"

#include <gtest/gtest.h>

#include <string>

namespace engram::repo_index {
namespace {

// A register map in the style of drivers/gpu/drm/amd/include/asic_reg: comments, guards, defines
// (some with continuation lines and arguments), includes.
std::string RegisterMap(int n, int first) {
  std::string out = "/*\n * generated register map\n */\n#ifndef REGS_H\n#define REGS_H\n#include \"base.h\"\n\n";
  for (int i = first; i < first + n; ++i) {
    out += "// block " + std::to_string(i) + "\n";
    out += "#define mmREG_" + std::to_string(i) + "_BASE 0x" + std::to_string(1000 + i) + "\n";
    out += "#define REG_" + std::to_string(i) + "_FIELD__SHIFT 0x" + std::to_string(i % 32) + "\n";
    if (i % 7 == 0) out += "#define REG_" + std::to_string(i) + "_GET(x) \\\n  (((x) >> 4) & 0xf)\n";
  }
  out += "#endif\n";
  return out;
}

std::vector<std::pair<std::string, uint32_t>> Macros(const FileFacts& facts) {
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const Symbol& s : facts.symbols) {
    if (s.kind == SymbolKind::kMacro) out.emplace_back(s.name, s.range.start_line);
  }
  return out;
}

TEST(DefineTableTest, MatchesTreeSitterOnTheSameLines) {
  std::string big = RegisterMap(1500, 0);
  ASSERT_GE(big.size(), kDefineTableMinBytes);
  ParseOptions options;
  std::optional<FileFacts> fast = ParseDefineTable(Language::kC, big, options);
  ASSERT_TRUE(fast.has_value());
  // The same text below the size threshold goes through tree-sitter.
  std::string small = RegisterMap(200, 0);
  ASSERT_LT(small.size(), kDefineTableMinBytes);
  ASSERT_FALSE(ParseDefineTable(Language::kC, small, options).has_value());
  Parser parser;
  auto slow = parser.Parse(Language::kC, small);
  ASSERT_TRUE(slow.ok()) << slow.status();
  auto fast_macros = Macros(*fast);
  auto slow_macros = Macros(*slow);
  ASSERT_GE(fast_macros.size(), slow_macros.size());
  fast_macros.resize(slow_macros.size());  // the small map is a prefix of the big one
  EXPECT_EQ(fast_macros, slow_macros);

  // Continuation lines extend the range; includes are imports; chunks cover the file.
  bool saw_continuation = false;
  for (const Symbol& s : fast->symbols) {
    if (s.name == "REG_7_GET") {
      EXPECT_EQ(s.range.end_line, s.range.start_line + 1);
      EXPECT_EQ(std::string_view(big).substr(s.name_range.start_byte, s.name.size()), s.name);
      saw_continuation = true;
    }
  }
  EXPECT_TRUE(saw_continuation);
  ASSERT_EQ(fast->imports.size(), 1u);
  EXPECT_EQ(fast->imports[0].spec, "base.h");
  EXPECT_EQ(fast->imports[0].kind, ImportKind::kIncludeLocal);
  ASSERT_FALSE(fast->chunks.empty());
  EXPECT_EQ(fast->chunks.back().end_byte, big.size());

  // The parser takes the fast path by itself (same macros as calling it directly).
  auto through_parser = parser.Parse(Language::kC, big);
  ASSERT_TRUE(through_parser.ok());
  EXPECT_EQ(Macros(*through_parser), Macros(*fast));
}

TEST(DefineTableTest, AnythingButDirectivesAndCommentsFallsThrough) {
  std::string code = RegisterMap(1500, 0) + "static inline int reg_read(int r) { return r; }\n";
  EXPECT_FALSE(ParseDefineTable(Language::kC, code, {}).has_value());
  std::string trailing = RegisterMap(1500, 0) + "/* note */ int x;\n";
  EXPECT_FALSE(ParseDefineTable(Language::kC, trailing, {}).has_value());
  EXPECT_FALSE(ParseDefineTable(Language::kPython, RegisterMap(1500, 0), {}).has_value());
  // An unterminated block comment swallowing code is still only comments: accepted.
  std::string open_comment = RegisterMap(1500, 0) + "/* int not_code(void) { }\n";
  EXPECT_TRUE(ParseDefineTable(Language::kCpp, open_comment, {}).has_value());
}

}  // namespace
}  // namespace engram::repo_index
