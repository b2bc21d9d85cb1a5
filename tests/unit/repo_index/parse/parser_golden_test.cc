// Golden dumps of the facts extracted from one sample per language (testdata/<lang>/sample.*),
// compared with sample.*.golden. ENGRAM_UPDATE_GOLDEN=1 rewrites the goldens; every golden was
// reviewed by hand, entry by entry: fix the parser, not the golden.
#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"
#include "repo_index/parse/facts_dump.h"
#include "repo_index/parse/parser.h"
#include "tests/unit/repo_index/parse/test_util.h"

namespace engram::repo_index {
namespace {

using testing::Sample;

class GoldenTest : public ::testing::TestWithParam<Sample> {};

TEST_P(GoldenTest, MatchesGolden) {
  const Sample& sample = GetParam();
  std::string source;
  ASSERT_TRUE(testing::ReadText(testing::SourcePath(sample.path), &source)) << sample.path;
  Parser parser;
  absl::StatusOr<FileFacts> facts = parser.Parse(sample.language, source);
  ASSERT_TRUE(facts.ok()) << facts.status();
  std::string dump = DumpFacts(*facts);
  std::string golden_path = testing::SourcePath(sample.path + ".golden");
  const char* update = std::getenv("ENGRAM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(golden_path, std::ios::binary);
    out << dump;
    GTEST_SKIP() << "rewrote " << golden_path;
  }
  std::string golden;
  ASSERT_TRUE(testing::ReadText(golden_path, &golden)) << "missing " << golden_path
                                                       << " (ENGRAM_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(dump, golden) << "facts of " << sample.path << " differ from the golden";
}

INSTANTIATE_TEST_SUITE_P(Languages, GoldenTest, ::testing::ValuesIn(testing::Samples()),
                         [](const ::testing::TestParamInfo<Sample>& param_info) {
                           return std::string(LanguageName(param_info.param.language));
                         });

TEST(ParserTest, EveryLanguageHasAGrammar) {
  for (const Sample& sample : testing::Samples()) EXPECT_TRUE(HasGrammar(sample.language));
  EXPECT_FALSE(HasGrammar(Language::kUnknown));
}

TEST(ParserTest, UnknownLanguageIsInvalidArgument) {
  Parser parser;
  absl::StatusOr<FileFacts> facts = parser.Parse(Language::kUnknown, "x");
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
}

// The spec's examples, checked directly (the goldens hold them too).
const Symbol* Find(const FileFacts& facts, std::string_view qualified) {
  for (const Symbol& symbol : facts.symbols) {
    if (symbol.qualified_name == qualified) return &symbol;
  }
  return nullptr;
}

TEST(ParserTest, QualifiedNames) {
  Parser parser;
  auto cpp = parser.Parse(Language::kCpp,
                          "namespace net { class Http { void parse(); }; }\nvoid Http::parse() {}\n");
  ASSERT_TRUE(cpp.ok());
  ASSERT_NE(Find(*cpp, "net::Http::parse"), nullptr);
  EXPECT_EQ(Find(*cpp, "net::Http::parse")->kind, SymbolKind::kMethod);
  ASSERT_NE(Find(*cpp, "Http::parse"), nullptr);
  EXPECT_EQ(Find(*cpp, "Http::parse")->kind, SymbolKind::kMethod);

  auto python = parser.Parse(Language::kPython, "class Cls:\n    class Inner:\n        def method(self):\n            pass\n");
  ASSERT_TRUE(python.ok());
  ASSERT_NE(Find(*python, "Cls.Inner.method"), nullptr);
  EXPECT_EQ(Find(*python, "Cls.Inner.method")->kind, SymbolKind::kMethod);

  auto go = parser.Parse(Language::kGo, "package p\nfunc (s *Server) Serve() {}\n");
  ASSERT_TRUE(go.ok());
  EXPECT_NE(Find(*go, "Server.Serve"), nullptr);

  auto rust = parser.Parse(Language::kRust, "impl Foo { fn bar() {} }\nimpl Show for Foo { fn show(&self) {} }\n");
  ASSERT_TRUE(rust.ok());
  ASSERT_NE(Find(*rust, "Foo::bar"), nullptr);
  EXPECT_EQ(Find(*rust, "Foo::bar")->kind, SymbolKind::kMethod);
  EXPECT_NE(Find(*rust, "Foo::show"), nullptr);
}

}  // namespace
}  // namespace engram::repo_index
