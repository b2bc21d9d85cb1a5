// The repo map's ranking: personalized PageRank over the graph of files that definitions and
// references induce, seeded by the files and identifiers of a request, and the definitions that
// rank carries (aider's repo map, with a local push so a query costs the same on the Linux kernel
// as on a small tree).
//
//   ASSIGN_OR_RETURN(std::shared_ptr<const SymbolGraph> graph, SymbolGraph::Build(store));
//   RepoMapSeeds seeds;
//   seeds.files = {{"drivers/net/foo.c", 1.0}};
//   seeds.identifiers = {{"foo_probe", 0.5}};
//   RepoMapRanking ranked = graph->Rank(seeds, /*file_limit=*/20, /*definition_limit=*/300);
//   RepoMap map = RenderRepoMap(ranked.definitions, 1024, tokenizer);   // repo_map.h
//   ...
//   if (*store.SymbolsGeneration() != graph->generation()) graph = *SymbolGraph::Build(store);
//
// Graph. Nodes are files. A name n defined in D(n) files (any symbol kind but namespaces, which
// are left out everywhere) and referenced c times from file A gives A an edge to each defining
// file B != A of weight c·w(n)/D(n); edges of the same (A, B) are summed. Self-references count
// nothing. w(n) = 1, times 0.1 when n is shorter than 3 bytes, times 0.1 when it starts with '_'
// (private-looking), times 0.1 when D(n) > kAmbiguousFiles (`size`, `get`: a reference says little
// about which definition it means); names defined in more than max_defining_files files (`probe`,
// `init`, `__init__`) carry no edges. Stored in CSR.
//
// Seeds. s = the seed distribution: each known request file gets its weight; each known identifier
// n with weight x gives (1 - kReferrerShare)·x to its defining files, x/D(n) each (any D), and
// kReferrerShare·x (a quarter) to the files referencing it, in proportion to their reference counts
// (all of x goes to one side when the other is empty; a name referenced from more than
// kMaxReferrerList files, `kmalloc`, gives its referrers nothing: spread that thin it says
// nothing). Unknown paths and names, and weights <= 0, are ignored; s is normalized to sum 1.
//
// Rank. p = α·s + (1 - α)·Mᵀp, the personalized PageRank with restart α to s, where M follows out-
// edges in proportion to weight and a file without out-edges returns its mass to s. Computed by
// forward push (Andersen, Chung, Lang 2006, FIFO variant): residual r = s; while some file u holds
// r[u] > epsilon·max(1, outdegree(u)), move α·r[u] into p[u] and spread (1 - α)·r[u] over its out-
// edges. Every push adds more than α·epsilon·max(1, deg) to |p| <= 1, so the work is below
// 1/(α·epsilon) edge visits whatever the graph's size. Then p += α·r (the residual's own first
// term), which keeps p <= p_exact; p_exact - p is what the residual left (each r[u] <=
// epsilon·max(1, deg(u))) would still spread. Without any known seed, the global PageRank (uniform
// s, power iteration at Build to an L1 change below 1e-8) ranks instead.
//
// Definitions. The rank flowing along A → B is p(A)·weight/out_weight(A), and each name carrying
// the edge takes its part (c·w(n)/D(n) of the weight). A definition of n in B scores
//   p(B)·((1 - kEvenShare)·flow(B, n)/inflow(B) + kEvenShare/defs(B))
// plus, when n is a seed identifier of normalized weight x, kSeedBoost·x/(definitions of n): a
// file's rank is divided over its definitions, mostly by the share of the incoming rank each name
// explains (several definitions of one name in B split that name's share), a tenth evenly (all of
// it when nothing flows in). Flows are summed from the highest-ranked files holding flow_mass of
// the rank (at most max_flow_sources files; all files for the global rank), which bounds a query's
// cost; definitions of unranked files score 0 and are not returned (boosted ones are). Ties break
// by path, then line.
//
// Cost, measured on synthetic kernel-sized facts (70 000 files, 2 M definitions, 10 M reference
// rows in 9.4 M (file, name) pairs, 7.7 M edges; -O2): Build 2–3 s after LoadGraphFacts (~5 s),
// 480 MB resident; Rank(…, 50, 300) about 3 ms, within 2 % of the exact ranking's scores
// (epsilon 1e-9, all flow sources).
//
// Thread-safety: immutable after Build; every method may run concurrently. A query allocates
// O(files) scratch of its own (about 3 MB for 70 000 files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/parse/facts.h"
#include "repo_index/store/index_store.h"

namespace engram::repo_index {

// What a request is about. Weights are relative (normalized together, files and identifiers).
struct RepoMapSeeds {
  std::vector<std::pair<std::string, double>> files;        // repository-relative paths
  std::vector<std::pair<std::string, double>> identifiers;  // names as written ("foo_probe")
};

struct RankedFile {
  std::string path;
  double score = 0;  // p(file): rank mass, in (0, 1]
  bool operator==(const RankedFile&) const = default;
};

struct RankedDefinition {
  std::string path;
  std::string name;
  SymbolKind kind = SymbolKind::kFunction;
  std::string signature;  // the declaration's first line, trimmed (at most 200 bytes)
  uint32_t start_line = 0;
  uint32_t end_line = 0;
  int64_t symbol_id = 0;  // symbols.id at the graph's generation
  double score = 0;       // > 0
  bool operator==(const RankedDefinition&) const = default;
};

struct RepoMapRanking {
  std::vector<RankedFile> files;
  std::vector<RankedDefinition> definitions;
};

struct SymbolGraphOptions {
  double alpha = 0.15;               // restart probability
  double epsilon = 1e-5;             // push threshold per unit of out-degree
  uint32_t max_defining_files = 20;  // names defined in more files carry no edges
  double flow_mass = 0.98;           // definition flows come from the best files holding this
  size_t max_flow_sources = 250;     // share of the rank, and at most this many files
};

class SymbolGraph {
 public:
  // Shares of the scoring rules above.
  static constexpr double kReferrerShare = 0.25;
  static constexpr double kEvenShare = 0.1;
  static constexpr double kSeedBoost = 1.0;
  static constexpr uint32_t kMaxReferrerList = 1000;
  static constexpr uint32_t kAmbiguousFiles = 5;
  // Files with more definitions than this are scored from the flowing names (only definitions that
  // receive rank flow are returned for them).
  static constexpr uint32_t kLargeFileDefinitions = 2048;

  // Loads the facts (IndexStore::LoadGraphFacts) and builds the graph and the global rank.
  static absl::StatusOr<std::shared_ptr<const SymbolGraph>> Build(
      IndexStore& store, const SymbolGraphOptions& options = {});
  // From facts made elsewhere (tests, benchmarks). Rows breaking GraphFacts' invariants are
  // dropped or reordered; unsorted files or names give an empty graph.
  static std::shared_ptr<const SymbolGraph> FromFacts(GraphFacts facts,
                                                      const SymbolGraphOptions& options = {});

  // The index's symbols_generation the graph was read at.
  uint64_t generation() const { return generation_; }

  // Files by rank, best first (ties by path); at most `limit`, only files with rank > 0.
  std::vector<RankedFile> RankFiles(const RepoMapSeeds& seeds, size_t limit) const;
  // Definitions by score, best first (ties by path, then line); at most `limit`, scores > 0.
  std::vector<RankedDefinition> RankDefinitions(const RepoMapSeeds& seeds, size_t limit) const;
  // Both from one ranking (half the cost of the two calls above).
  RepoMapRanking Rank(const RepoMapSeeds& seeds, size_t file_limit, size_t definition_limit) const;

  // Inspection (tests, benchmarks).
  struct Edge {
    std::string from, to;
    double weight = 0;
  };
  std::vector<Edge> Edges() const;  // by source path, then target path
  size_t file_count() const { return files_.size(); }
  size_t edge_count() const { return out_to_.size(); }
  size_t definition_count() const { return defs_.size(); }
  size_t MemoryBytes() const;

  SymbolGraph(const SymbolGraph&) = delete;
  SymbolGraph& operator=(const SymbolGraph&) = delete;

 private:
  struct NameCount {
    uint32_t name;
    float weight;  // c·w(n)/D(n): the weight this file's references to `name` add to each edge
  };
  struct FileCount {
    uint32_t file;
    uint32_t count;
  };
  struct Seed {
    uint32_t file;
    double mass;
  };
  struct SeedSet {
    std::vector<Seed> files;                         // normalized, one per file, by file
    std::vector<std::pair<uint32_t, double>> names;  // seed identifiers, normalized weights
  };
  class RankOrder;

  // Strings sorted by bytes, packed into one buffer.
  class SortedStrings {
   public:
    void Assign(const std::vector<std::string>& sorted);
    size_t size() const { return offsets_.size() - 1; }
    std::string_view operator[](size_t i) const {
      return std::string_view(bytes_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
    }
    uint32_t Find(std::string_view s) const;  // UINT32_MAX when absent
    size_t MemoryBytes() const {
      return bytes_.capacity() + offsets_.capacity() * sizeof(uint64_t);
    }

   private:
    std::string bytes_;
    std::vector<uint64_t> offsets_ = {0};  // [size + 1]
  };

  SymbolGraph() = default;
  void BuildIndexes(GraphFacts facts);
  void BuildEdges();
  void BuildGlobalRank();
  SeedSet ResolveSeeds(const RepoMapSeeds& seeds) const;
  std::vector<double> Push(const SeedSet& seeds) const;  // [files] p
  std::vector<std::pair<uint32_t, double>> ScoreDefinitions(const std::vector<double>& rank,
                                                            RankOrder* order, const SeedSet& seeds,
                                                            size_t limit) const;
  RankedDefinition MakeRanked(uint32_t def, double score) const;

  SymbolGraphOptions options_;
  uint64_t generation_ = 0;
  SortedStrings files_;                       // paths; index = file
  SortedStrings names_;                       // identifiers; index = name
  std::vector<GraphFacts::Definition> defs_;  // by file, then line
  std::string signatures_;
  std::vector<uint32_t> file_defs_;         // [files + 1] into defs_ (defs_ are by file)
  std::vector<uint16_t> def_multiplicity_;  // [defs] definitions of the same name in the file
  std::vector<uint32_t> name_defs_begin_;   // [names + 1] into name_defs_
  std::vector<uint32_t> name_defs_;         // def indices grouped by name, by file within a name
  std::vector<uint32_t> name_files_begin_;  // [names + 1] into name_files_
  std::vector<uint32_t> name_files_;        // distinct defining files of each name, ascending
  std::vector<uint32_t> file_refs_begin_;   // [files + 1] into file_refs_
  std::vector<NameCount> file_refs_;        // graph names a file references, by name
  std::vector<uint32_t> name_refs_begin_;   // [names + 1] into name_refs_
  std::vector<FileCount> name_refs_;        // files referencing each name, by file (see above)
  std::vector<uint32_t> out_begin_;         // [files + 1] into out_to_ / out_weight_
  std::vector<uint32_t> out_to_;            // edge targets, ascending per source
  std::vector<float> out_weight_;
  std::vector<double> out_total_;                         // [files] sum of out_weight_ per source
  std::vector<double> push_threshold_;                    // [files] epsilon·max(1, out-degree)
  std::vector<double> global_rank_;                       // [files] global PageRank
  std::vector<uint32_t> global_files_;                    // files with rank > 0, best first
  std::vector<std::pair<uint32_t, double>> global_defs_;  // (def, score) best first, score > 0
};

}  // namespace engram::repo_index
