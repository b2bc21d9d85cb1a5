// The symbol graph: facts loaded from a real index, edges and PageRank on a hand-computable graph
// against a dense power-iteration reference, seeded rankings on a small repository, empty inputs.
#include "repo_index/memory/symbol_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "repo_index/index/indexer.h"
#include "repo_index/store/index_store.h"
#include "tests/unit/repo_index/test_repo.h"

namespace engram::repo_index {
namespace {

using testing::TestRepo;

// ---- hand-made facts ---------------------------------------------------------------------------

struct HandDef {
  std::string file;
  std::string name;
  uint32_t line;
};
struct HandRef {
  std::string file;
  std::string name;
  uint32_t count;
};

GraphFacts MakeFacts(const std::vector<std::string>& files, const std::vector<HandDef>& defs,
                     const std::vector<HandRef>& refs) {
  GraphFacts facts;
  facts.files = files;
  std::sort(facts.files.begin(), facts.files.end());
  std::set<std::string> names;
  for (const HandDef& d : defs) names.insert(d.name);
  for (const HandRef& r : refs) names.insert(r.name);
  facts.names.assign(names.begin(), names.end());
  auto file_index = [&](const std::string& f) {
    return static_cast<uint32_t>(std::lower_bound(facts.files.begin(), facts.files.end(), f) -
                                 facts.files.begin());
  };
  auto name_index = [&](const std::string& n) {
    return static_cast<uint32_t>(std::lower_bound(facts.names.begin(), facts.names.end(), n) -
                                 facts.names.begin());
  };
  for (size_t i = 0; i < facts.files.size(); ++i) facts.file_ids.push_back(int64_t(i) + 1);
  std::vector<HandDef> sorted = defs;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const HandDef& a, const HandDef& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  for (const HandDef& d : sorted) {
    GraphFacts::Definition def;
    def.file = file_index(d.file);
    def.name = name_index(d.name);
    def.start_line = d.line;
    def.end_line = d.line + 2;
    def.symbol_id = (int64_t{def.file} + 1) << 24 | facts.definitions.size();
    const std::string signature = "int " + d.name + "(void)";
    def.signature_offset = static_cast<uint32_t>(facts.signatures.size());
    def.signature_size = static_cast<uint32_t>(signature.size());
    facts.signatures += signature;
    facts.definitions.push_back(def);
  }
  for (const HandRef& r : refs)
    facts.references.push_back({file_index(r.file), name_index(r.name), r.count});
  std::sort(facts.references.begin(), facts.references.end(),
            [](const GraphFacts::RefCount& a, const GraphFacts::RefCount& b) {
              return std::tie(a.file, a.name) < std::tie(b.file, b.name);
            });
  facts.symbols_generation = 7;
  return facts;
}

// The hand graph. max_defining_files = 2, so `common` (3 files) carries no edges; `shared_fn` is
// defined twice; `xy` is short and `_echo` private (weight 0.1 each); a.c's alpha_fn reference is
// a self-reference; f.c has no out-edges; g.c references only an undefined name.
GraphFacts HandFacts() {
  return MakeFacts({"a.c", "b.c", "c.c", "d.c", "e.c", "f.c", "g.c"},
                   {{"a.c", "alpha_fn", 1},
                    {"a.c", "common", 9},
                    {"b.c", "bravo_fn", 10},
                    {"b.c", "shared_fn", 20},
                    {"b.c", "common", 40},
                    {"c.c", "charlie_fn", 5},
                    {"c.c", "shared_fn", 30},
                    {"c.c", "common", 50},
                    {"d.c", "delta", 1},
                    {"d.c", "xy", 2},
                    {"e.c", "_echo", 3},
                    {"f.c", "fox", 1}},
                   {{"a.c", "bravo_fn", 2},
                    {"a.c", "shared_fn", 3},
                    {"a.c", "common", 5},
                    {"a.c", "alpha_fn", 4},
                    {"a.c", "delta", 1},
                    {"b.c", "charlie_fn", 1},
                    {"b.c", "xy", 10},
                    {"b.c", "fox", 1},
                    {"c.c", "_echo", 10},
                    {"c.c", "alpha_fn", 1},
                    {"c.c", "shared_fn", 2},
                    {"d.c", "fox", 2},
                    {"d.c", "alpha_fn", 1},
                    {"e.c", "delta", 1},
                    {"g.c", "unknown_name", 3}});
}

// The edges of HandFacts, worked out by hand from the rule in symbol_graph.h.
const std::map<std::pair<std::string, std::string>, double>& HandEdges() {
  static const auto* edges = new std::map<std::pair<std::string, std::string>, double>{
      {{"a.c", "b.c"}, 2 + 3.0 / 2},  // bravo_fn ×2, shared_fn ×3 / D=2
      {{"a.c", "c.c"}, 3.0 / 2},      // shared_fn
      {{"a.c", "d.c"}, 1},            // delta
      {{"b.c", "c.c"}, 1},            // charlie_fn
      {{"b.c", "d.c"}, 10 * 0.1},     // xy: short
      {{"b.c", "f.c"}, 1},            // fox
      {{"c.c", "e.c"}, 10 * 0.1},     // _echo: private
      {{"c.c", "a.c"}, 1},            // alpha_fn
      {{"c.c", "b.c"}, 2.0 / 2},      // shared_fn (its c.c half is a self-reference)
      {{"d.c", "f.c"}, 2},            // fox
      {{"d.c", "a.c"}, 1},            // alpha_fn
      {{"e.c", "d.c"}, 1},            // delta
  };
  return *edges;
}

SymbolGraphOptions ExactOptions() {
  SymbolGraphOptions options;
  options.max_defining_files = 2;
  options.epsilon = 1e-10;
  options.flow_mass = 1.0;
  return options;
}

// Dense power iteration: p = α·s + (1 - α)·(Mᵀp + dangling·t), where t = s for a personalized rank
// and uniform for the global one (s uniform too).
std::map<std::string, double> DenseReference(const std::vector<std::string>& files,
                                             const std::map<std::string, double>& seeds,
                                             double alpha) {
  const size_t n = files.size();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index[files[i]] = i;
  std::vector<std::vector<double>> w(n, std::vector<double>(n, 0));
  for (const auto& [edge, weight] : HandEdges()) w[index[edge.first]][index[edge.second]] = weight;
  std::vector<double> s(n, 0);
  for (const auto& [f, m] : seeds) s[index[f]] = m;
  std::vector<double> p = s;
  for (int it = 0; it < 2000; ++it) {
    std::vector<double> next(n, 0);
    double dangling = 0;
    for (size_t u = 0; u < n; ++u) {
      double total = 0;
      for (size_t v = 0; v < n; ++v) total += w[u][v];
      if (total == 0) {
        dangling += p[u];
        continue;
      }
      for (size_t v = 0; v < n; ++v) next[v] += (1 - alpha) * p[u] * w[u][v] / total;
    }
    for (size_t v = 0; v < n; ++v) next[v] += alpha * s[v] + (1 - alpha) * dangling * s[v];
    p = next;
  }
  std::map<std::string, double> out;
  for (size_t i = 0; i < n; ++i) out[files[i]] = p[i];
  return out;
}

std::map<std::string, double> AsMap(const std::vector<RankedFile>& ranked) {
  std::map<std::string, double> out;
  for (const RankedFile& f : ranked) out[f.path] = f.score;
  return out;
}

void ExpectNear(const std::map<std::string, double>& actual,
                const std::map<std::string, double>& expected) {
  for (const auto& [path, value] : expected) {
    auto it = actual.find(path);
    const double got = it == actual.end() ? 0 : it->second;
    // The push stops at residuals below epsilon·degree (1e-10 here): 1e-3 is far above that.
    EXPECT_NEAR(got, value, 1e-3) << path;
  }
  for (const auto& [path, value] : actual) EXPECT_TRUE(expected.count(path)) << path;
}

TEST(SymbolGraphTest, EdgesFollowTheWeightRule) {
  auto graph = SymbolGraph::FromFacts(HandFacts(), ExactOptions());
  std::map<std::pair<std::string, std::string>, double> edges;
  for (const SymbolGraph::Edge& e : graph->Edges()) edges[{e.from, e.to}] = e.weight;
  ASSERT_EQ(edges.size(), HandEdges().size());
  for (const auto& [edge, weight] : HandEdges()) {
    EXPECT_NEAR(edges[edge], weight, 1e-6) << edge.first << " -> " << edge.second;
  }
  EXPECT_EQ(graph->file_count(), 7u);
  EXPECT_EQ(graph->generation(), 7u);
}

TEST(SymbolGraphTest, PersonalizedRankMatchesDenseReference) {
  const std::vector<std::string> files = {"a.c", "b.c", "c.c", "d.c", "e.c", "f.c", "g.c"};
  for (double alpha : {0.15, 0.2}) {
    SymbolGraphOptions options = ExactOptions();
    options.alpha = alpha;
    auto graph = SymbolGraph::FromFacts(HandFacts(), options);

    RepoMapSeeds one_file;
    one_file.files = {{"a.c", 1}};
    ExpectNear(AsMap(graph->RankFiles(one_file, 100)), DenseReference(files, {{"a.c", 1}}, alpha));

    // charlie_fn: 3/4 of its weight to c.c (defines it), 1/4 to b.c (references it); normalized
    // with the file seed's weight.
    RepoMapSeeds mixed;
    mixed.files = {{"a.c", 1}, {"nope.c", 5}, {"d.c", -1}};
    mixed.identifiers = {{"charlie_fn", 1}, {"no_such_name", 3}};
    ExpectNear(AsMap(graph->RankFiles(mixed, 100)),
               DenseReference(files, {{"a.c", 0.5}, {"c.c", 0.375}, {"b.c", 0.125}}, alpha));
  }
}

TEST(SymbolGraphTest, GlobalRankIsTheFallbackWithoutKnownSeeds) {
  const std::vector<std::string> files = {"a.c", "b.c", "c.c", "d.c", "e.c", "f.c", "g.c"};
  auto graph = SymbolGraph::FromFacts(HandFacts(), ExactOptions());
  std::map<std::string, double> uniform;
  for (const std::string& f : files) uniform[f] = 1.0 / files.size();
  ExpectNear(AsMap(graph->RankFiles({}, 100)), DenseReference(files, uniform, 0.15));

  RepoMapSeeds unknown;
  unknown.files = {{"missing.c", 1}};
  unknown.identifiers = {{"missing_fn", 1}};
  EXPECT_EQ(graph->RankFiles(unknown, 100), graph->RankFiles({}, 100));
  EXPECT_EQ(graph->RankDefinitions(unknown, 100), graph->RankDefinitions({}, 100));
  EXPECT_EQ(graph->RankFiles({}, 3).size(), 3u);
}

TEST(SymbolGraphTest, DefinitionScoresSplitTheFileRankByIncomingFlow) {
  const std::vector<std::string> files = {"a.c", "b.c", "c.c", "d.c", "e.c", "f.c", "g.c"};
  auto graph = SymbolGraph::FromFacts(HandFacts(), ExactOptions());
  RepoMapSeeds seeds;
  seeds.files = {{"a.c", 1}};
  std::map<std::string, double> p = DenseReference(files, {{"a.c", 1}}, 0.15);
  std::map<std::string, double> score;  // "path:name" → score
  for (const RankedDefinition& d : graph->RankDefinitions(seeds, 100)) {
    score[d.path + ":" + d.name] = d.score;
  }
  // b.c defines bravo_fn (flow from a.c: weight 2 of a.c's 6), shared_fn (a.c: 1.5 of 6; c.c: 1 of
  // 3) and common (no edges).
  const double bravo = p["a.c"] * 2 / 6;
  const double shared = p["a.c"] * 1.5 / 6 + p["c.c"] * 1 / 3;
  const double inflow = bravo + shared;
  EXPECT_NEAR(score["b.c:bravo_fn"], p["b.c"] * (0.9 * bravo / inflow + 0.1 / 3), 1e-4);
  EXPECT_NEAR(score["b.c:shared_fn"], p["b.c"] * (0.9 * shared / inflow + 0.1 / 3), 1e-4);
  EXPECT_NEAR(score["b.c:common"], p["b.c"] * 0.1 / 3, 1e-4);
  // f.c: nothing but fox, which takes all of the file's rank.
  EXPECT_NEAR(score["f.c:fox"], p["f.c"], 1e-4);
  // g.c is not reachable from a.c: none of its (no) definitions, and nothing of it, is ranked.
  double total = 0;
  for (const auto& [key, value] : score) total += value;
  double mass = 0;
  for (const auto& [f, value] : p) {
    if (f != "g.c") mass += value;
  }
  EXPECT_NEAR(total, mass, 1e-3);  // every ranked file's rank is divided over its definitions
}

TEST(SymbolGraphTest, SeedIdentifiersBoostTheirDefinitions) {
  auto graph = SymbolGraph::FromFacts(HandFacts(), ExactOptions());
  RepoMapSeeds seeds;
  seeds.files = {{"a.c", 1}};
  seeds.identifiers = {{"shared_fn", 1}};
  std::vector<RankedDefinition> defs = graph->RankDefinitions(seeds, 3);
  ASSERT_EQ(defs.size(), 3u);
  std::set<std::string> top = {defs[0].path, defs[1].path};
  EXPECT_EQ(defs[0].name, "shared_fn");
  EXPECT_EQ(defs[1].name, "shared_fn");
  EXPECT_EQ(top, (std::set<std::string>{"b.c", "c.c"}));
  EXPECT_EQ(defs[0].signature, "int shared_fn(void)");

  // An identifier defined in more files than the graph keeps still gets its boost.
  RepoMapSeeds common;
  common.identifiers = {{"common", 1}};
  defs = graph->RankDefinitions(common, 3);
  ASSERT_EQ(defs.size(), 3u);
  for (const RankedDefinition& d : defs) EXPECT_EQ(d.name, "common");
  EXPECT_EQ(defs[0].path, "a.c");  // a.c gets the most rank (referencing it five times)
}

TEST(SymbolGraphTest, TiesBreakByPathThenLine) {
  // s.c calls one function in each of y.c and x.c, equally: x.c and y.c tie.
  GraphFacts facts = MakeFacts(
      {"s.c", "y.c", "x.c"},
      {{"x.c", "x_one", 30}, {"x.c", "x_two", 10}, {"y.c", "y_one", 5}, {"y.c", "y_two", 50}},
      {{"s.c", "x_one", 1}, {"s.c", "x_two", 1}, {"s.c", "y_one", 1}, {"s.c", "y_two", 1}});
  auto graph = SymbolGraph::FromFacts(std::move(facts));
  RepoMapSeeds seeds;
  seeds.files = {{"s.c", 1}};
  std::vector<RankedFile> files = graph->RankFiles(seeds, 10);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "s.c");
  EXPECT_EQ(files[1].path, "x.c");
  EXPECT_EQ(files[2].path, "y.c");
  EXPECT_DOUBLE_EQ(files[1].score, files[2].score);
  std::vector<RankedDefinition> defs = graph->RankDefinitions(seeds, 10);
  std::vector<std::pair<std::string, uint32_t>> order;
  for (const RankedDefinition& d : defs) order.emplace_back(d.path, d.start_line);
  EXPECT_EQ(order, (std::vector<std::pair<std::string, uint32_t>>{
                       {"x.c", 10}, {"x.c", 30}, {"y.c", 5}, {"y.c", 50}}));
  // The limit keeps the best.
  EXPECT_EQ(graph->RankDefinitions(seeds, 1).front().start_line, 10u);
  EXPECT_TRUE(graph->RankDefinitions(seeds, 0).empty());
  EXPECT_TRUE(graph->RankFiles(seeds, 0).empty());
}

TEST(SymbolGraphTest, EmptyFactsAndNoReferences) {
  auto empty = SymbolGraph::FromFacts(GraphFacts{});
  RepoMapSeeds seeds;
  seeds.files = {{"a.c", 1}};
  seeds.identifiers = {{"f", 1}};
  EXPECT_TRUE(empty->RankFiles(seeds, 10).empty());
  EXPECT_TRUE(empty->RankDefinitions(seeds, 10).empty());
  EXPECT_TRUE(empty->RankFiles({}, 10).empty());
  EXPECT_TRUE(empty->RankDefinitions({}, 10).empty());
  EXPECT_EQ(empty->edge_count(), 0u);

  // No references: the global rank is uniform; a seed file ranks alone.
  auto flat = SymbolGraph::FromFacts(
      MakeFacts({"b.c", "a.c"}, {{"a.c", "a_fn", 3}, {"a.c", "a_gn", 1}, {"b.c", "b_fn", 2}}, {}));
  EXPECT_EQ(flat->edge_count(), 0u);
  std::vector<RankedDefinition> defs = flat->RankDefinitions({}, 10);
  ASSERT_EQ(defs.size(), 3u);
  EXPECT_EQ(defs[0].path, "b.c");   // b.c's one definition takes all of b.c's half
  EXPECT_EQ(defs[1].name, "a_gn");  // a.c's two tie: by line
  EXPECT_EQ(defs[2].name, "a_fn");
  RepoMapSeeds a;
  a.files = {{"a.c", 1}};
  std::vector<RankedFile> files = flat->RankFiles(a, 10);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "a.c");
  EXPECT_NEAR(files[0].score, 1.0, 1e-5);
}

TEST(SymbolGraphTest, MalformedFactsDoNotReadOutOfBounds) {
  GraphFacts facts = HandFacts();
  std::reverse(facts.references.begin(), facts.references.end());
  std::reverse(facts.definitions.begin(), facts.definitions.end());
  facts.definitions.push_back({/*file=*/99, /*name=*/0});
  facts.definitions.push_back({/*file=*/0, /*name=*/99});
  facts.definitions.push_back(
      {0, 0, SymbolKind::kFunction, 1, 1, 1, /*signature_offset=*/1u << 30, 5});
  facts.references.push_back({/*file=*/0, /*name=*/99, 1});
  facts.references.push_back({/*file=*/99, /*name=*/0, 1});
  auto graph = SymbolGraph::FromFacts(std::move(facts), ExactOptions());
  auto reference = SymbolGraph::FromFacts(HandFacts(), ExactOptions());
  RepoMapSeeds seeds;
  seeds.files = {{"a.c", 1}};
  EXPECT_EQ(graph->RankDefinitions(seeds, 100), reference->RankDefinitions(seeds, 100));
  EXPECT_EQ(graph->edge_count(), reference->edge_count());

  GraphFacts unsorted = HandFacts();
  std::swap(unsorted.files[0], unsorted.files[1]);
  EXPECT_TRUE(SymbolGraph::FromFacts(std::move(unsorted))->RankFiles(seeds, 10).empty());
}

// ---- a real index -------------------------------------------------------------------------------

IndexerOptions Options() {
  IndexerOptions options;
  options.threads = 2;
  options.history_commits = 0;
  return options;
}

void WriteSmallRepo(const TestRepo& repo) {
  repo.Write("src/util.h",
             "#ifndef UTIL_H\n#define UTIL_H\nstruct buffer { int len; char *data; };\n"
             "int util_add(int a, int b);\n#define SQUARE(x) ((x) * (x))\n#endif\n");
  repo.Write("src/util.c",
             "#include \"util.h\"\n"
             "int util_add(int a, int b) { return a + b; }\n"
             "static int helper(struct buffer *b) { return util_add(b->len, SQUARE(2)); }\n"
             "int util_twice(struct buffer *b) { return helper(b) + planted_deep_check(b); }\n");
  repo.Write("src/main.c",
             "#include \"util.h\"\n"
             "int main(void) {\n"
             "  struct buffer b;\n"
             "  b.len = util_add(1, 2);\n"
             "  return util_twice(&b) + util_add(3, 4);\n"
             "}\n");
  repo.Write("src/deep/planted.c",
             "#include \"../util.h\"\n"
             "int planted_deep_check(struct buffer *b) { return b->len > 0; }\n");
  repo.Write("src/net/proto.c",
             "int proto_parse(const char *s) { return s[0]; }\n"
             "int proto_emit(char *s) { return proto_parse(s) + 1; }\n");
  repo.Write("src/net/wire.c", "int wire_send(char *s) { return proto_emit(s); }\n");
  // Unconnected distractors: a ring of files calling each other.
  for (int i = 0; i < 12; ++i) {
    repo.Write("src/other/o" + std::to_string(i) + ".c",
               "int other_fn_" + std::to_string(i) + "(void) { return other_fn_" +
                   std::to_string((i + 1) % 12) + "(); }\n");
  }
  repo.Write("py/app.py",
             "from py import lib\n\nclass App:\n    def run(self):\n"
             "        return lib.compute(3) + self.step()\n\n    def step(self):\n"
             "        return lib.compute(4)\n");
  repo.Write("py/lib.py", "def compute(x):\n    return x * 2\n");
}

class IndexedRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteSmallRepo(repo_);
    repo_.Git("add -A");
    repo_.Git("commit -q -m init");
    db_ = repo_.scratch() + "/index.db";
    Sync();
  }
  void Sync() {
    auto indexer = Indexer::Open(repo_.root(), db_, Options());
    ASSERT_TRUE(indexer.ok()) << indexer.status();
    auto summary = (*indexer)->Sync(nullptr, CancellationToken());
    ASSERT_TRUE(summary.ok()) << summary.status();
  }
  std::shared_ptr<const SymbolGraph> Graph() {
    auto store = IndexStore::OpenReadOnly(db_);
    EXPECT_TRUE(store.ok()) << store.status();
    auto graph = SymbolGraph::Build(**store);
    EXPECT_TRUE(graph.ok()) << graph.status();
    return *graph;
  }

  TestRepo repo_{true};
  std::string db_;
};

TEST_F(IndexedRepoTest, LoadGraphFactsAggregatesReferenceCounts) {
  auto store = IndexStore::OpenReadOnly(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto facts = (*store)->LoadGraphFacts();
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_TRUE(std::is_sorted(facts->files.begin(), facts->files.end()));
  EXPECT_TRUE(std::is_sorted(facts->names.begin(), facts->names.end()));
  EXPECT_EQ(facts->files.size(), 20u);
  EXPECT_EQ(facts->file_ids.size(), facts->files.size());
  auto generation = (*store)->SymbolsGeneration();
  ASSERT_TRUE(generation.ok());
  EXPECT_EQ(facts->symbols_generation, *generation);
  EXPECT_GT(*generation, 0u);

  // Hand count of the references of three files (self-references included: the store reports
  // what the files contain; the graph drops them).
  std::map<std::string, std::map<std::string, uint32_t>> refs;
  for (const GraphFacts::RefCount& r : facts->references) {
    refs[facts->files[r.file]][facts->names[r.name]] = r.count;
  }
  EXPECT_EQ(refs["src/main.c"],
            (std::map<std::string, uint32_t>{{"buffer", 1}, {"util_add", 2}, {"util_twice", 1}}));
  EXPECT_EQ(refs["src/util.c"], (std::map<std::string, uint32_t>{{"buffer", 2},
                                                                 {"util_add", 1},
                                                                 {"SQUARE", 1},
                                                                 {"helper", 1},
                                                                 {"planted_deep_check", 1}}));
  EXPECT_EQ(refs["py/app.py"], (std::map<std::string, uint32_t>{{"compute", 2}, {"step", 1}}));
  EXPECT_EQ(refs.count("py/lib.py"), 0u);
  for (size_t i = 1; i < facts->references.size(); ++i) {
    const auto& a = facts->references[i - 1];
    const auto& b = facts->references[i];
    EXPECT_TRUE(std::tie(a.file, a.name) < std::tie(b.file, b.name));
  }

  // Definitions by file, then line, with their signatures and symbol ids.
  std::vector<std::tuple<std::string, std::string, uint32_t>> util_defs;
  for (size_t i = 0; i < facts->definitions.size(); ++i) {
    const GraphFacts::Definition& d = facts->definitions[i];
    if (i > 0) {
      const GraphFacts::Definition& prev = facts->definitions[i - 1];
      EXPECT_TRUE(prev.file < d.file || (prev.file == d.file && prev.start_line <= d.start_line));
    }
    if (facts->files[d.file] == "src/util.c") {
      util_defs.emplace_back(facts->names[d.name], std::string(facts->signature(d)), d.start_line);
      EXPECT_EQ(d.symbol_id >> 24, facts->file_ids[d.file]);
    }
  }
  EXPECT_EQ(
      util_defs,
      (std::vector<std::tuple<std::string, std::string, uint32_t>>{
          {"util_add", "int util_add(int a, int b) { return a + b; }", 2},
          {"helper", "static int helper(struct buffer *b) { return util_add(b->len, SQUARE(2)); }",
           3},
          {"util_twice",
           "int util_twice(struct buffer *b) { return helper(b) + planted_deep_check(b); }", 4}}));
}

// While a bulk load has dropped the name indexes, the references are read from the table instead
// of `refs_name`: the same facts.
TEST_F(IndexedRepoTest, LoadGraphFactsWithoutTheNameIndex) {
  auto store = IndexStore::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto indexed = (*store)->LoadGraphFacts();
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  ASSERT_TRUE((*store)->BeginBulkLoad().ok());
  auto scanned = (*store)->LoadGraphFacts();
  ASSERT_TRUE(scanned.ok()) << scanned.status();
  ASSERT_TRUE((*store)->EndBulkLoad().ok());
  auto key = [](const GraphFacts& facts) {
    std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> refs;
    for (const GraphFacts::RefCount& r : facts.references)
      refs.emplace_back(r.file, r.name, r.count);
    return refs;
  };
  EXPECT_FALSE(key(*indexed).empty());
  EXPECT_EQ(key(*scanned), key(*indexed));
  EXPECT_EQ(scanned->names, indexed->names);
  EXPECT_EQ(scanned->definitions.size(), indexed->definitions.size());
  // Inside the caller's transaction, too.
  ASSERT_TRUE((*store)->Begin().ok());
  auto in_transaction = (*store)->LoadGraphFacts();
  ASSERT_TRUE(in_transaction.ok()) << in_transaction.status();
  EXPECT_EQ(key(*in_transaction), key(*indexed));
  ASSERT_TRUE((*store)->Rollback().ok());
}

TEST_F(IndexedRepoTest, SeedFileRanksTheFilesItCallsFirst) {
  auto graph = Graph();
  RepoMapSeeds seeds;
  seeds.files = {{"src/main.c", 1}};
  std::vector<RankedFile> files = graph->RankFiles(seeds, 100);
  ASSERT_GE(files.size(), 3u);
  EXPECT_EQ(files[0].path, "src/main.c");
  EXPECT_EQ((std::set<std::string>{files[1].path, files[2].path}),
            (std::set<std::string>{"src/util.c", "src/util.h"}));
  for (const RankedFile& f : files) {
    EXPECT_EQ(f.path.find("src/other/"), std::string::npos) << f.path;  // unreachable
    EXPECT_EQ(f.path.find("py/"), std::string::npos) << f.path;
  }
}

TEST_F(IndexedRepoTest, PlantedDefinitionIsReachedThroughReferences) {
  auto graph = Graph();
  RepoMapSeeds seeds;
  seeds.files = {{"src/main.c", 1}};
  std::vector<RankedDefinition> defs = graph->RankDefinitions(seeds, 50);
  auto it = std::find_if(defs.begin(), defs.end(),
                         [](const RankedDefinition& d) { return d.name == "planted_deep_check"; });
  ASSERT_NE(it, defs.end());
  EXPECT_EQ(it->path, "src/deep/planted.c");
  EXPECT_EQ(it->start_line, 2u);
  EXPECT_EQ(it->signature, "int planted_deep_check(struct buffer *b) { return b->len > 0; }");
  for (const RankedDefinition& d : defs) EXPECT_EQ(d.path.find("src/other/"), std::string::npos);
  for (size_t i = 1; i < defs.size(); ++i) EXPECT_GE(defs[i - 1].score, defs[i].score);
}

TEST_F(IndexedRepoTest, SeedIdentifierRanksItsDefinitionFirst) {
  auto graph = Graph();
  RepoMapSeeds seeds;
  seeds.identifiers = {{"proto_parse", 1}};
  std::vector<RankedFile> files = graph->RankFiles(seeds, 10);
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files[0].path, "src/net/proto.c");
  std::vector<RankedDefinition> defs = graph->RankDefinitions(seeds, 10);
  ASSERT_FALSE(defs.empty());
  EXPECT_EQ(defs[0].name, "proto_parse");
  EXPECT_EQ(defs[0].path, "src/net/proto.c");
  EXPECT_EQ(defs[0].kind, SymbolKind::kFunction);

  // A Python method through its callers' references.
  seeds.identifiers = {{"compute", 1}};
  defs = graph->RankDefinitions(seeds, 10);
  ASSERT_FALSE(defs.empty());
  EXPECT_EQ(defs[0].path, "py/lib.py");
}

TEST_F(IndexedRepoTest, DeterministicAndConcurrent) {
  auto a = Graph();
  auto b = Graph();
  RepoMapSeeds seeds;
  seeds.files = {{"src/main.c", 1}, {"py/app.py", 0.5}};
  seeds.identifiers = {{"wire_send", 0.3}};
  const std::vector<RankedDefinition> expected = a->RankDefinitions(seeds, 40);
  EXPECT_EQ(b->RankDefinitions(seeds, 40), expected);
  EXPECT_EQ(a->RankFiles(seeds, 40), b->RankFiles(seeds, 40));
  EXPECT_EQ(a->RankDefinitions({}, 40), b->RankDefinitions({}, 40));
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) same[t] += a->RankDefinitions(seeds, 40) == expected;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(same[t], 20);
}

TEST_F(IndexedRepoTest, GenerationMovesWithTheIndex) {
  auto graph = Graph();
  repo_.Write("src/net/proto.c", "int proto_parse(const char *s) { return s[1]; }\n");
  Sync();
  auto store = IndexStore::OpenReadOnly(db_);
  ASSERT_TRUE(store.ok());
  auto generation = (*store)->SymbolsGeneration();
  ASSERT_TRUE(generation.ok());
  EXPECT_NE(*generation, graph->generation());
  EXPECT_EQ(Graph()->generation(), *generation);
}

TEST(SymbolGraphIndexTest, EmptyIndexAndUnreferencedDefinitions) {
  TestRepo repo(true);
  const std::string db = repo.scratch() + "/index.db";
  {
    auto indexer = Indexer::Open(repo.root(), db, Options());
    ASSERT_TRUE(indexer.ok()) << indexer.status();
    ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
    auto graph = SymbolGraph::Build((*indexer)->store());
    ASSERT_TRUE(graph.ok()) << graph.status();
    EXPECT_EQ((*graph)->file_count(), 0u);
    EXPECT_EQ((*graph)->generation(), 0u);
    RepoMapSeeds seeds;
    seeds.files = {{"a.c", 1}};
    EXPECT_TRUE((*graph)->RankDefinitions(seeds, 10).empty());
    EXPECT_TRUE((*graph)->RankFiles({}, 10).empty());
  }
  repo.Write("a.c", "int a_fn(void) { return 0; }\n");
  repo.Write("b.py", "def b_fn():\n    return 1\n");
  auto indexer = Indexer::Open(repo.root(), db, Options());
  ASSERT_TRUE(indexer.ok()) << indexer.status();
  ASSERT_TRUE((*indexer)->Sync(nullptr, CancellationToken()).ok());
  auto graph = SymbolGraph::Build((*indexer)->store());
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_EQ((*graph)->edge_count(), 0u);
  std::vector<RankedDefinition> defs = (*graph)->RankDefinitions({}, 10);
  ASSERT_EQ(defs.size(), 2u);
  EXPECT_EQ(defs[0].name, "a_fn");
  EXPECT_EQ(defs[1].name, "b_fn");
  RepoMapSeeds seeds;
  seeds.identifiers = {{"b_fn", 1}};
  defs = (*graph)->RankDefinitions(seeds, 10);
  ASSERT_EQ(defs.size(), 1u);
  EXPECT_EQ(defs[0].name, "b_fn");
}

}  // namespace
}  // namespace engram::repo_index
