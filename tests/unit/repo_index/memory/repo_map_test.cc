// Rendering the repo map: the format, and the token budget on many budgets and tokenizers.
#include "repo_index/memory/repo_map.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace engram::repo_index {
namespace {

RankedDefinition Def(std::string path, std::string name, uint32_t line, std::string signature,
                     double score = 1) {
  RankedDefinition d;
  d.path = std::move(path);
  d.name = std::move(name);
  d.start_line = line;
  d.end_line = line + 3;
  d.signature = std::move(signature);
  d.score = score;
  return d;
}

// Counts like the lexical tokenizer plus a jump on some text lengths: not monotonic in the text.
class JumpyTokenizer final : public MemoryTokenizer {
 public:
  std::string Id() const override { return "jumpy"; }
  void Tokenize(std::string_view text, std::vector<MemoryToken>* out) const override {
    lex_.Tokenize(text, out);
  }
  size_t CountTokens(std::string_view text) const override {
    return lex_.CountTokens(text) + (text.size() % 5 == 0 && !text.empty() ? 40 : 0);
  }

 private:
  LexicalTokenizer lex_;
};

// The rendered definitions are a subsequence of the input, each file's header appears once, and
// the text costs what the map says, within the budget.
void CheckMap(const std::vector<RankedDefinition>& input, const RepoMap& map, size_t budget,
              const MemoryTokenizer& counter) {
  EXPECT_LE(map.tokens, budget);
  EXPECT_EQ(counter.CountTokens(map.text), map.tokens);
  size_t at = 0;
  for (const RankedDefinition& d : map.definitions) {
    while (at < input.size() && !(input[at] == d)) ++at;
    ASSERT_LT(at, input.size()) << "not an input subsequence: " << d.name;
    ++at;
    EXPECT_NE(map.text.find("\u2502 " + d.signature + "\n"), std::string::npos) << d.name;
  }
  std::set<std::string> paths;
  for (const RankedDefinition& d : map.definitions) paths.insert(d.path);
  for (const std::string& path : paths) {
    const std::string header = path + ":\n";
    const size_t first = map.text.find(header);
    ASSERT_NE(first, std::string::npos) << path;
    EXPECT_EQ(map.text.find(header, first + 1), std::string::npos) << path;
  }
  if (map.definitions.empty()) {
    EXPECT_EQ(map.text, "");
  }
}

TEST(RepoMapTest, GroupsByFileInRankOrderWithLinesInOrder) {
  std::vector<RankedDefinition> defs = {
      Def("b/x.c", "x_probe", 123, "static int x_probe(struct pci_dev *pdev)", 0.9),
      Def("a/y.c", "y_init", 7, "int y_init(void)", 0.8),
      Def("b/x.c", "x_priv", 88, "struct x_priv {", 0.7),
      Def("a/y.c", "y_exit", 1000, "", 0.6),
      Def("b/x.c", "x_odd", 90, "int x_odd(int a,\nint b)", 0.5),
  };
  LexicalTokenizer lex;
  RepoMap map = RenderRepoMap(defs, 100000, lex);
  EXPECT_EQ(map.text,
            "b/x.c:\n"
            "   88\u2502 struct x_priv {\n"
            "   90\u2502 int x_odd(int a, int b)\n"
            "  123\u2502 static int x_probe(struct pci_dev *pdev)\n"
            "a/y.c:\n"
            "     7\u2502 int y_init(void)\n"
            "  1000\u2502 y_exit\n");
  EXPECT_EQ(map.definitions, defs);
  EXPECT_EQ(map.tokens, lex.CountTokens(map.text));
  EXPECT_EQ(RenderRepoMap(defs, 100000, lex).text, map.text);  // deterministic
}

TEST(RepoMapTest, ZeroAndTinyBudgetsGiveEmptyText) {
  std::vector<RankedDefinition> defs = {
      Def("drivers/net/foo.c", "foo_probe", 123, "static int foo_probe(struct pci_dev *pdev)")};
  LexicalTokenizer lex;
  const size_t full = lex.CountTokens(RenderRepoMap(defs, 100000, lex).text);
  for (size_t budget = 0; budget < full; ++budget) {
    RepoMap map = RenderRepoMap(defs, budget, lex);
    EXPECT_EQ(map.text, "") << budget;
    EXPECT_TRUE(map.definitions.empty());
    EXPECT_EQ(map.tokens, 0u);
  }
  EXPECT_EQ(RenderRepoMap(defs, full, lex).definitions.size(), 1u);
  RepoMap none = RenderRepoMap({}, 50, lex);
  EXPECT_EQ(none.text, "");
  EXPECT_EQ(none.tokens, 0u);
}

TEST(RepoMapTest, NeverExceedsManyBudgets) {
  std::mt19937 rng(11);
  std::vector<RankedDefinition> defs;
  for (int i = 0; i < 300; ++i) {
    const std::string file =
        "dir" + std::to_string(rng() % 7) + "/file" + std::to_string(rng() % 40) + ".c";
    std::string signature = "static int fn_" + std::to_string(i) + "(";
    const int args = static_cast<int>(rng() % 6);
    for (int a = 0; a < args; ++a)
      signature += (a ? ", " : "") + std::string("struct device *dev") + std::to_string(a);
    signature += ")";
    if (i % 50 == 7) signature += std::string(150, 'x');  // a long one early in the ranking
    defs.push_back(Def(file, "fn_" + std::to_string(i), static_cast<uint32_t>(rng() % 5000 + 1),
                       signature, 1.0 / (i + 1)));
  }
  LexicalTokenizer lex;
  JumpyTokenizer jumpy;
  const size_t full = lex.CountTokens(RenderRepoMap(defs, SIZE_MAX, lex).text);
  for (size_t budget : {size_t{0}, size_t{1}, size_t{2}, size_t{5}, size_t{11}, size_t{17},
                        size_t{30}, size_t{64}, size_t{100}, size_t{257}, size_t{1000},
                        size_t{2048}, size_t{4099}, full - 1, full, full + 1}) {
    RepoMap map = RenderRepoMap(defs, budget, lex);
    CheckMap(defs, map, budget, lex);
    if (budget >= 257) {
      EXPECT_GT(map.tokens, budget * 8 / 10) << "budget poorly used: " << budget;
    }
    CheckMap(defs, RenderRepoMap(defs, budget, jumpy), budget, jumpy);
  }
  EXPECT_EQ(RenderRepoMap(defs, full, lex).definitions.size(), defs.size());
  EXPECT_LT(RenderRepoMap(defs, full - 1, lex).definitions.size(), defs.size());
  for (size_t budget = 0; budget < 200; ++budget) {
    CheckMap(defs, RenderRepoMap(defs, budget, jumpy), budget, jumpy);
  }
}

}  // namespace
}  // namespace engram::repo_index
