// Timing of the repo map (prints; asserts nothing about time): LoadGraphFacts, Build and queries
// (ranking + rendering).
//
//   ENGRAM_REPO_MAP_BENCH_DB=/path/index.db   a real index (e.g. of the Linux kernel), read-only
//   ENGRAM_REPO_MAP_BENCH_FILES=70000         otherwise synthetic kernel-like facts of this many
//                                             files (default 3000: quick under ctest)
//   ENGRAM_REPO_MAP_BENCH_EPSILON=1e-5        SymbolGraphOptions::epsilon
//   ENGRAM_REPO_MAP_BENCH_SOURCES=1000        SymbolGraphOptions::max_flow_sources
//   ENGRAM_REPO_MAP_BENCH_SHOW=path/a.c,foo    also print the 1024-token map seeded by this file
//                                             (and identifier)
//   ENGRAM_REPO_MAP_BENCH_EXACT=1             also rank with epsilon 1e-9 and all flow sources, and
//                                             print the share of the exact top-50 files' (top-300
//                                             definitions') exact score the ranking's top captures
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "repo_index/memory/repo_map.h"
#include "repo_index/memory/symbol_graph.h"
#include "repo_index/store/index_store.h"

namespace engram::repo_index {
namespace {

double Ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

// ~28 definitions and ~140 distinct referenced names per file: half popular "API" names (Zipf),
// 30% definitions of nearby files, 10% the file's own, 10% names defined nowhere; 5% of the
// definitions reuse one of ten ambiguous names.
GraphFacts SyntheticFacts(uint32_t n_files) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* kCommon[] = {"probe",   "remove", "init",  "exit",  "open",
                           "release", "read",   "write", "ioctl", "show"};
  std::vector<std::string> raw_files(n_files);
  for (uint32_t f = 0; f < n_files; ++f) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "drivers/d%03u/file%06u.c", f % 500, f);
    raw_files[f] = buf;
  }
  std::vector<std::vector<std::string>> file_defs(n_files);
  std::vector<std::string> all_defs;
  for (uint32_t f = 0; f < n_files; ++f) {
    for (int k = 0; k < 28; ++k) {
      std::string name = unit(rng) < 0.05 ? kCommon[rng() % 10]
                                          : "fn_" + std::to_string(f) + "_" + std::to_string(k);
      file_defs[f].push_back(name);
      all_defs.push_back(name);
    }
  }
  std::vector<std::map<std::string, uint32_t>> refs(n_files);
  for (uint32_t f = 0; f < n_files; ++f) {
    for (int k = 0; k < 160; ++k) {
      const double r = unit(rng);
      std::string name;
      if (r < 0.5) {
        const double u = unit(rng);
        name = all_defs[static_cast<size_t>(u * u * u * static_cast<double>(all_defs.size() / 97)) *
                        97];
      } else if (r < 0.8) {
        const int64_t g =
            std::clamp<int64_t>(int64_t{f} + int64_t(rng() % 101) - 50, 0, n_files - 1);
        name = file_defs[g][rng() % 28];
      } else if (r < 0.9) {
        name = file_defs[f][rng() % 28];
      } else {
        name = "ext_" + std::to_string(rng() % 300000);
      }
      ++refs[f][name];
    }
  }
  GraphFacts facts;
  facts.files = raw_files;
  std::sort(facts.files.begin(), facts.files.end());
  std::vector<uint32_t> dense_file(n_files);
  for (uint32_t f = 0; f < n_files; ++f) {
    dense_file[f] = static_cast<uint32_t>(
        std::lower_bound(facts.files.begin(), facts.files.end(), raw_files[f]) -
        facts.files.begin());
    facts.file_ids.push_back(f + 1);
  }
  std::vector<std::string> names = all_defs;
  for (const auto& m : refs) {
    for (const auto& [name, count] : m) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  facts.names = names;
  auto name_index = [&](const std::string& n) {
    return static_cast<uint32_t>(std::lower_bound(names.begin(), names.end(), n) - names.begin());
  };
  std::vector<uint32_t> by_dense(n_files);
  for (uint32_t f = 0; f < n_files; ++f) by_dense[dense_file[f]] = f;
  for (uint32_t d = 0; d < n_files; ++d) {
    const uint32_t f = by_dense[d];
    for (int k = 0; k < 28; ++k) {
      GraphFacts::Definition def;
      def.file = d;
      def.name = name_index(file_defs[f][k]);
      def.start_line = 10 + 14 * k;
      def.end_line = def.start_line + 12;
      def.symbol_id = (int64_t{f} + 1) << 24 | k;
      const std::string signature = "static int " + file_defs[f][k] + "(struct device *dev)";
      def.signature_offset = static_cast<uint32_t>(facts.signatures.size());
      def.signature_size = static_cast<uint32_t>(signature.size());
      facts.signatures += signature;
      facts.definitions.push_back(def);
    }
    for (const auto& [name, count] : refs[f])
      facts.references.push_back({d, name_index(name), count});
  }
  return facts;
}

TEST(RepoMapBench, LoadBuildQuery) {
  GraphFacts facts;
  const char* db = std::getenv("ENGRAM_REPO_MAP_BENCH_DB");
  auto start = std::chrono::steady_clock::now();
  if (db != nullptr) {
    auto store = IndexStore::OpenReadOnly(db);
    ASSERT_TRUE(store.ok()) << store.status();
    auto loaded = (*store)->LoadGraphFacts();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    facts = *std::move(loaded);
    std::printf("LoadGraphFacts(%s): %.0f ms\n", db, Ms(start));
  } else {
    const char* files_env = std::getenv("ENGRAM_REPO_MAP_BENCH_FILES");
    facts = SyntheticFacts(files_env ? static_cast<uint32_t>(std::atol(files_env)) : 3000);
    std::printf("synthetic facts: %.0f ms\n", Ms(start));
  }
  std::printf("files=%zu names=%zu definitions=%zu reference pairs=%zu\n", facts.files.size(),
              facts.names.size(), facts.definitions.size(), facts.references.size());
  // Seeds: a spread of files and the names of some of their definitions.
  std::vector<RepoMapSeeds> queries;
  for (size_t i = 0; i < 40 && !facts.files.empty(); ++i) {
    RepoMapSeeds seeds;
    const size_t f = (i * 7919) % facts.files.size();
    seeds.files = {{facts.files[f], 1.0}};
    if (i % 2 == 1) {
      for (const GraphFacts::Definition& d : facts.definitions) {
        if (d.file == f) {
          seeds.identifiers = {{facts.names[d.name], 0.5}};
          break;
        }
      }
    }
    queries.push_back(seeds);
  }

  SymbolGraphOptions options;
  if (const char* e = std::getenv("ENGRAM_REPO_MAP_BENCH_EPSILON")) options.epsilon = std::atof(e);
  if (const char* e = std::getenv("ENGRAM_REPO_MAP_BENCH_SOURCES")) {
    options.max_flow_sources = static_cast<size_t>(std::atol(e));
  }
  std::shared_ptr<const SymbolGraph> exact;
  if (std::getenv("ENGRAM_REPO_MAP_BENCH_EXACT") != nullptr) {
    SymbolGraphOptions exact_options;
    exact_options.epsilon = 1e-9;
    exact_options.flow_mass = 1;
    exact_options.max_flow_sources = SIZE_MAX;
    exact = SymbolGraph::FromFacts(facts, exact_options);
  }
  start = std::chrono::steady_clock::now();
  std::shared_ptr<const SymbolGraph> graph = SymbolGraph::FromFacts(std::move(facts), options);
  std::printf("Build: %.0f ms, edges=%zu, memory=%.1f MB\n", Ms(start), graph->edge_count(),
              static_cast<double>(graph->MemoryBytes()) / 1e6);

  LexicalTokenizer lex;
  std::vector<double> rank_ms, render_ms, files_ms, file_overlap, def_overlap;
  size_t rendered = 0;
  for (const RepoMapSeeds& seeds : queries) {
    start = std::chrono::steady_clock::now();
    std::vector<RankedDefinition> defs = graph->RankDefinitions(seeds, 300);
    rank_ms.push_back(Ms(start));
    start = std::chrono::steady_clock::now();
    RepoMap map = RenderRepoMap(defs, 2048, lex);
    render_ms.push_back(Ms(start));
    rendered += map.definitions.size();
    start = std::chrono::steady_clock::now();
    graph->RankFiles(seeds, 50);
    files_ms.push_back(Ms(start));
    EXPECT_LE(map.tokens, 2048u);
    if (exact != nullptr) {
      // The exact scores the approximate top lists capture, over the exact top lists' scores.
      std::map<std::string, double> file_score, def_score;
      double best_files = 0, best_defs = 0;
      for (const RankedFile& f : exact->RankFiles(seeds, SIZE_MAX)) {
        if (file_score.size() < 50) best_files += f.score;
        file_score[f.path] = f.score;
      }
      for (const RankedDefinition& d : exact->RankDefinitions(seeds, 3000)) {
        if (def_score.size() < 300) best_defs += d.score;
        def_score[d.path + ":" + std::to_string(d.start_line)] = d.score;
      }
      double got = 0;
      for (const RankedFile& f : graph->RankFiles(seeds, 50)) got += file_score[f.path];
      file_overlap.push_back(best_files > 0 ? got / best_files : 1);
      got = 0;
      for (const RankedDefinition& d : defs)
        got += def_score[d.path + ":" + std::to_string(d.start_line)];
      def_overlap.push_back(best_defs > 0 ? got / best_defs : 1);
    }
  }
  start = std::chrono::steady_clock::now();
  RepoMap global = RenderRepoMap(graph->RankDefinitions({}, 300), 2048, lex);
  const double global_ms = Ms(start);
  if (const char* show = std::getenv("ENGRAM_REPO_MAP_BENCH_SHOW")) {
    const std::string spec = show;
    const size_t comma = spec.find(',');
    RepoMapSeeds seeds;
    seeds.files = {{spec.substr(0, comma), 1.0}};
    if (comma != std::string::npos) seeds.identifiers = {{spec.substr(comma + 1), 1.0}};
    RepoMapRanking ranked = graph->Rank(seeds, 10, 300);
    for (const RankedFile& f : ranked.files) std::printf("%.5f %s\n", f.score, f.path.c_str());
    std::printf("%s", RenderRepoMap(ranked.definitions, 1024, lex).text.c_str());
  }
  auto report = [](const char* what, std::vector<double> v) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    std::printf("%s: median %.2f ms, p90 %.2f ms, max %.2f ms\n", what, v[v.size() / 2],
                v[v.size() * 9 / 10], v.back());
  };
  report("RankDefinitions(300)", rank_ms);
  report("RenderRepoMap(2048 tokens)", render_ms);
  report("RankFiles(50)", files_ms);
  std::printf("global map: %.2f ms; definitions rendered per map: %.1f\n", global_ms,
              queries.empty() ? 0.0 : static_cast<double>(rendered) / queries.size());
  EXPECT_LE(global.tokens, 2048u);
  if (!file_overlap.empty()) {
    std::sort(file_overlap.begin(), file_overlap.end());
    std::sort(def_overlap.begin(), def_overlap.end());
    std::printf(
        "exact score captured: top-50 files median %.3f min %.3f; top-300 "
        "definitions median %.3f min %.3f\n",
        file_overlap[file_overlap.size() / 2], file_overlap.front(),
        def_overlap[def_overlap.size() / 2], def_overlap.front());
  }
}

}  // namespace
}  // namespace engram::repo_index
