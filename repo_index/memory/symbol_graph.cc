#include "repo_index/memory/symbol_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr int kGlobalIterations = 200;
constexpr double kGlobalTolerance = 1e-8;    // L1 change per iteration
constexpr size_t kGlobalDefinitions = 4096;  // the global definition ranking kept from Build

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// w(n) for a name defined in `files` files: see the header.
double NameWeight(std::string_view name, uint32_t files) {
  double w = 1;
  if (name.size() < 3) w *= 0.1;
  if (!name.empty() && name[0] == '_') w *= 0.1;
  if (files > SymbolGraph::kAmbiguousFiles) w *= 0.1;
  return w;
}

// Builds CSR offsets [buckets + 1] from per-item bucket counts already stored in `begin[b + 1]`.
void PrefixSum(std::vector<uint32_t>* begin) {
  for (size_t i = 1; i < begin->size(); ++i) (*begin)[i] += (*begin)[i - 1];
}

// Score order: higher first, then lower file (path order), then line, then definition index.
struct DefOrder {
  const std::vector<GraphFacts::Definition>* defs;
  bool operator()(const std::pair<uint32_t, double>& a,
                  const std::pair<uint32_t, double>& b) const {
    if (a.second != b.second) return a.second > b.second;
    const GraphFacts::Definition& da = (*defs)[a.first];
    const GraphFacts::Definition& db = (*defs)[b.first];
    if (da.file != db.file) return da.file < db.file;
    if (da.start_line != db.start_line) return da.start_line < db.start_line;
    return a.first < b.first;
  }
};

}  // namespace

// Files with rank > 0 by decreasing rank (ties by index, i.e. path), sorted lazily: a heap yields
// the next file on demand, so a query that needs the best few hundred of 50 000 ranked files does
// not sort them all.
class SymbolGraph::RankOrder {
 public:
  explicit RankOrder(const std::vector<double>& rank) {
    for (uint32_t f = 0; f < rank.size(); ++f) {
      if (rank[f] > 0) {
        heap_.push_back({rank[f], f});
        total_ += rank[f];
      }
    }
    std::make_heap(heap_.begin(), heap_.end(), Lower);
  }
  // Already sorted (the global rank).
  RankOrder(const std::vector<double>& rank, const std::vector<uint32_t>& sorted)
      : sorted_(sorted) {
    for (uint32_t f : sorted) total_ += rank[f];
  }

  // The i-th best file, or kNone past the last.
  uint32_t At(size_t i) {
    while (sorted_.size() <= i && !heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), Lower);
      sorted_.push_back(heap_.back().file);
      heap_.pop_back();
    }
    return i < sorted_.size() ? sorted_[i] : kNone;
  }
  double total() const { return total_; }

 private:
  struct Entry {
    double rank;
    uint32_t file;
  };
  static bool Lower(const Entry& a, const Entry& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.file > b.file;
  }
  std::vector<Entry> heap_;
  std::vector<uint32_t> sorted_;
  double total_ = 0;
};

// ---- build -------------------------------------------------------------------------------------

absl::StatusOr<std::shared_ptr<const SymbolGraph>> SymbolGraph::Build(
    IndexStore& store, const SymbolGraphOptions& options) {
  ASSIGN_OR_RETURN(GraphFacts facts, store.LoadGraphFacts());
  return FromFacts(std::move(facts), options);
}

std::shared_ptr<const SymbolGraph> SymbolGraph::FromFacts(GraphFacts facts,
                                                          const SymbolGraphOptions& options) {
  std::shared_ptr<SymbolGraph> graph(new SymbolGraph());
  graph->options_ = options;
  graph->BuildIndexes(std::move(facts));
  graph->BuildEdges();
  graph->BuildGlobalRank();
  return graph;
}

void SymbolGraph::BuildIndexes(GraphFacts facts) {
  generation_ = facts.symbols_generation;
  const size_t file_count = facts.files.size();
  const size_t name_count = facts.names.size();
  // Facts as LoadGraphFacts returns them satisfy GraphFacts' invariants; others are made to (rows
  // with indexes out of range dropped, orders restored) rather than read out of bounds.
  // Namespaces (`namespace engram::repo_index`, Go packages) open every file of a tree: scopes,
  // not API. They are left out.
  const size_t signature_bytes = facts.signatures.size();
  std::erase_if(facts.definitions, [&](const GraphFacts::Definition& d) {
    return d.kind == SymbolKind::kNamespace || d.file >= file_count || d.name >= name_count ||
           uint64_t{d.signature_offset} + d.signature_size > signature_bytes;
  });
  std::erase_if(facts.references, [&](const GraphFacts::RefCount& r) {
    return r.file >= file_count || r.name >= name_count || r.count == 0;
  });
  auto def_order = [](const GraphFacts::Definition& a, const GraphFacts::Definition& b) {
    return a.file != b.file ? a.file < b.file : a.start_line < b.start_line;
  };
  if (!std::is_sorted(facts.definitions.begin(), facts.definitions.end(), def_order)) {
    std::stable_sort(facts.definitions.begin(), facts.definitions.end(), def_order);
  }
  auto ref_order = [](const GraphFacts::RefCount& a, const GraphFacts::RefCount& b) {
    return a.file != b.file ? a.file < b.file : a.name < b.name;
  };
  if (!std::is_sorted(facts.references.begin(), facts.references.end(), ref_order)) {
    std::sort(facts.references.begin(), facts.references.end(), ref_order);
  }
  if (!std::is_sorted(facts.files.begin(), facts.files.end()) ||
      !std::is_sorted(facts.names.begin(), facts.names.end())) {
    // Lookups by binary search need sorted strings; unsorted ones cannot be fixed without
    // renumbering every row. Such facts rank nothing.
    facts = GraphFacts{};
  }
  files_.Assign(facts.files);
  facts.files = {};
  names_.Assign(facts.names);
  facts.names = {};
  defs_ = std::move(facts.definitions);
  signatures_ = std::move(facts.signatures);
  signatures_.shrink_to_fit();
  defs_.shrink_to_fit();
  const size_t n_files = files_.size();
  const size_t n_names = names_.size();

  // Definitions are by file: CSR offsets per file.
  file_defs_.assign(n_files + 1, 0);
  for (const GraphFacts::Definition& d : defs_) ++file_defs_[d.file + 1];
  PrefixSum(&file_defs_);
  // How many definitions of the same name each definition's file holds (they split its flow).
  def_multiplicity_.assign(defs_.size(), 1);
  {
    absl::flat_hash_map<uint32_t, uint32_t> count;
    for (size_t f = 0; f < n_files; ++f) {
      if (file_defs_[f + 1] - file_defs_[f] < 2) continue;
      count.clear();
      for (uint32_t d = file_defs_[f]; d < file_defs_[f + 1]; ++d) ++count[defs_[d].name];
      for (uint32_t d = file_defs_[f]; d < file_defs_[f + 1]; ++d) {
        def_multiplicity_[d] =
            static_cast<uint16_t>(std::min<uint32_t>(count[defs_[d].name], 65535));
      }
    }
  }

  // Definitions by name (file order kept within a name), then each name's distinct files.
  name_defs_begin_.assign(n_names + 1, 0);
  for (const GraphFacts::Definition& d : defs_) ++name_defs_begin_[d.name + 1];
  PrefixSum(&name_defs_begin_);
  name_defs_.resize(defs_.size());
  {
    std::vector<uint32_t> next(name_defs_begin_.begin(), name_defs_begin_.end() - 1);
    for (uint32_t i = 0; i < defs_.size(); ++i) name_defs_[next[defs_[i].name]++] = i;
  }
  name_files_begin_.assign(n_names + 1, 0);
  name_files_.reserve(defs_.size());
  for (size_t n = 0; n < n_names; ++n) {
    uint32_t last = kNone;
    for (uint32_t i = name_defs_begin_[n]; i < name_defs_begin_[n + 1]; ++i) {
      uint32_t file = defs_[name_defs_[i]].file;
      if (file != last) name_files_.push_back(file);
      last = file;
    }
    name_files_begin_[n + 1] = static_cast<uint32_t>(name_files_.size());
  }
  name_files_.shrink_to_fit();

  // Per-reference edge weight of each name: w(n)/D(n), 0 when the name carries no edges.
  std::vector<float> name_unit(n_names, 0);
  for (size_t n = 0; n < n_names; ++n) {
    const uint32_t d = name_files_begin_[n + 1] - name_files_begin_[n];
    if (d == 0 || d > options_.max_defining_files) continue;
    name_unit[n] = static_cast<float>(NameWeight(names_[n], d) / d);
  }

  // References by file (graph names only; facts are sorted by (file, name)) and by name (names
  // referenced from at most kMaxReferrerList files).
  file_refs_begin_.assign(n_files + 1, 0);
  std::vector<uint32_t> referrers(n_names, 0);
  for (const GraphFacts::RefCount& r : facts.references) {
    if (name_unit[r.name] > 0) ++file_refs_begin_[r.file + 1];
    ++referrers[r.name];
  }
  name_refs_begin_.assign(n_names + 1, 0);
  for (size_t n = 0; n < n_names; ++n) {
    name_refs_begin_[n + 1] = referrers[n] <= kMaxReferrerList ? referrers[n] : 0;
  }
  PrefixSum(&file_refs_begin_);
  PrefixSum(&name_refs_begin_);
  file_refs_.resize(file_refs_begin_.back());
  name_refs_.resize(name_refs_begin_.back());
  std::vector<uint32_t>& next = referrers;  // reused: the next free slot of each name
  std::copy(name_refs_begin_.begin(), name_refs_begin_.end() - 1, next.begin());
  size_t at = 0;
  for (const GraphFacts::RefCount& r : facts.references) {
    if (name_unit[r.name] > 0) {
      file_refs_[at++] = {r.name, static_cast<float>(r.count) * name_unit[r.name]};
    }
    if (next[r.name] < name_refs_begin_[r.name + 1]) name_refs_[next[r.name]++] = {r.file, r.count};
  }
}

void SymbolGraph::BuildEdges() {
  const size_t n_files = files_.size();
  out_begin_.assign(n_files + 1, 0);
  out_total_.assign(n_files, 0);
  std::vector<double> acc(n_files, 0);  // sparse accumulator over targets of one source
  std::vector<uint32_t> targets;
  for (uint32_t a = 0; a < n_files; ++a) {
    targets.clear();
    for (uint32_t i = file_refs_begin_[a]; i < file_refs_begin_[a + 1]; ++i) {
      const NameCount& ref = file_refs_[i];
      for (uint32_t j = name_files_begin_[ref.name]; j < name_files_begin_[ref.name + 1]; ++j) {
        const uint32_t b = name_files_[j];
        if (b == a) continue;
        if (acc[b] == 0) targets.push_back(b);
        acc[b] += ref.weight;
      }
    }
    std::sort(targets.begin(), targets.end());
    double total = 0;
    for (uint32_t b : targets) {
      const float w = static_cast<float>(acc[b]);
      out_to_.push_back(b);
      out_weight_.push_back(w);
      total += w;
      acc[b] = 0;
    }
    out_total_[a] = total;
    out_begin_[a + 1] = static_cast<uint32_t>(out_to_.size());
  }
  out_to_.shrink_to_fit();
  out_weight_.shrink_to_fit();
  push_threshold_.resize(n_files);
  for (uint32_t a = 0; a < n_files; ++a) {
    push_threshold_[a] =
        options_.epsilon * std::max<uint32_t>(1, out_begin_[a + 1] - out_begin_[a]);
  }
}

void SymbolGraph::BuildGlobalRank() {
  const size_t n = files_.size();
  global_rank_.assign(n, 0);
  if (n == 0) return;
  const double alpha = options_.alpha;
  std::vector<double> p(n, 1.0 / static_cast<double>(n)), next(n);
  for (int iteration = 0; iteration < kGlobalIterations; ++iteration) {
    double dangling = 0;
    std::fill(next.begin(), next.end(), 0.0);
    for (uint32_t u = 0; u < n; ++u) {
      if (out_begin_[u] == out_begin_[u + 1]) {
        dangling += p[u];
        continue;
      }
      const double scale = (1 - alpha) * p[u] / out_total_[u];
      for (uint32_t e = out_begin_[u]; e < out_begin_[u + 1]; ++e) {
        next[out_to_[e]] += scale * out_weight_[e];
      }
    }
    const double base = (alpha + (1 - alpha) * dangling) / static_cast<double>(n);
    double change = 0;
    for (size_t v = 0; v < n; ++v) {
      next[v] += base;
      change += std::abs(next[v] - p[v]);
    }
    p.swap(next);
    if (change < kGlobalTolerance) break;
  }
  global_rank_ = p;
  for (uint32_t f = 0; f < n; ++f) {
    if (p[f] > 0) global_files_.push_back(f);
  }
  std::stable_sort(global_files_.begin(), global_files_.end(),
                   [&](uint32_t a, uint32_t b) { return p[a] > p[b]; });
  RankOrder order(global_rank_, global_files_);
  global_defs_ = ScoreDefinitions(global_rank_, &order, SeedSet{}, kGlobalDefinitions);
}

// ---- queries -----------------------------------------------------------------------------------

void SymbolGraph::SortedStrings::Assign(const std::vector<std::string>& sorted) {
  size_t total = 0;
  for (const std::string& s : sorted) total += s.size();
  bytes_.clear();
  bytes_.reserve(total);
  offsets_.assign(1, 0);
  offsets_.reserve(sorted.size() + 1);
  for (const std::string& s : sorted) {
    bytes_ += s;
    offsets_.push_back(bytes_.size());
  }
}

uint32_t SymbolGraph::SortedStrings::Find(std::string_view s) const {
  size_t low = 0, high = size();  // the answer is in [low, high)
  while (low < high) {
    const size_t mid = low + (high - low) / 2;
    if ((*this)[mid] < s) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low < size() && (*this)[low] == s ? static_cast<uint32_t>(low) : kNone;
}

SymbolGraph::SeedSet SymbolGraph::ResolveSeeds(const RepoMapSeeds& seeds) const {
  absl::flat_hash_map<uint32_t, double> mass;  // file → seed mass
  std::vector<std::pair<uint32_t, double>> names;
  for (const auto& [path, weight] : seeds.files) {
    if (!(weight > 0) || !std::isfinite(weight)) continue;
    const uint32_t f = files_.Find(path);
    if (f != kNone) mass[f] += weight;
  }
  for (const auto& [name, weight] : seeds.identifiers) {
    if (!(weight > 0) || !std::isfinite(weight)) continue;
    const uint32_t n = names_.Find(name);
    if (n == kNone) continue;
    const uint32_t def_begin = name_files_begin_[n], def_end = name_files_begin_[n + 1];
    const uint32_t ref_begin = name_refs_begin_[n], ref_end = name_refs_begin_[n + 1];
    const bool defined = def_end > def_begin;
    const bool referenced = ref_end > ref_begin;
    const double to_referrers = !referenced ? 0 : !defined ? weight : kReferrerShare * weight;
    const double to_definers = weight - to_referrers;
    if (defined) {
      const double each = to_definers / (def_end - def_begin);
      for (uint32_t i = def_begin; i < def_end; ++i) mass[name_files_[i]] += each;
    }
    if (referenced) {
      double total = 0;
      for (uint32_t i = ref_begin; i < ref_end; ++i) total += name_refs_[i].count;
      for (uint32_t i = ref_begin; i < ref_end; ++i) {
        mass[name_refs_[i].file] += to_referrers * name_refs_[i].count / total;
      }
    }
    names.emplace_back(n, weight);
  }
  SeedSet set;
  double total = 0;
  for (const auto& [file, m] : mass) total += m;
  if (total <= 0) return set;
  for (const auto& [file, m] : mass) set.files.push_back({file, m / total});
  std::sort(set.files.begin(), set.files.end(),
            [](const Seed& a, const Seed& b) { return a.file < b.file; });
  // Every known seed put all of its weight into `mass`, so `total` normalizes identifiers too.
  std::sort(names.begin(), names.end());
  for (const auto& [n, weight] : names) {
    if (!set.names.empty() && set.names.back().first == n) {
      set.names.back().second += weight / total;
    } else {
      set.names.emplace_back(n, weight / total);
    }
  }
  return set;
}

std::vector<double> SymbolGraph::Push(const SeedSet& seeds) const {
  const size_t n = files_.size();
  const double alpha = options_.alpha;
  std::vector<double> p(n, 0);  // [files] rank
  std::vector<double> r(n, 0);  // [files] residual
  std::vector<uint8_t> queued(n, 0);
  // A FIFO ring with a power-of-two capacity >= n: a file is queued at most once at a time.
  size_t capacity = 1;
  while (capacity < n) capacity <<= 1;
  const size_t mask = capacity - 1;
  std::vector<uint32_t> ring(capacity);
  size_t head = 0, tail = 0;
  auto add = [&](uint32_t v, double x) {
    r[v] += x;
    if (!queued[v] && r[v] > push_threshold_[v]) {
      queued[v] = 1;
      ring[tail++ & mask] = v;
    }
  };
  for (const Seed& s : seeds.files) add(s.file, s.mass);
  while (head != tail) {
    const uint32_t u = ring[head++ & mask];
    queued[u] = 0;
    const double ru = r[u];
    r[u] = 0;
    p[u] += alpha * ru;
    const double spread = (1 - alpha) * ru;
    const uint32_t begin = out_begin_[u], end = out_begin_[u + 1];
    if (begin == end) {
      for (const Seed& s : seeds.files) add(s.file, spread * s.mass);
      continue;
    }
    const double scale = spread / out_total_[u];
    for (uint32_t e = begin; e < end; ++e) add(out_to_[e], scale * out_weight_[e]);
  }
  // The residual left adds its first term: r[u]·π_u >= α·r[u] at u. The estimate stays below the
  // exact rank everywhere and is closer to it.
  for (uint32_t f = 0; f < n; ++f) p[f] += alpha * r[f];
  return p;
}

std::vector<std::pair<uint32_t, double>> SymbolGraph::ScoreDefinitions(
    const std::vector<double>& rank, RankOrder* order, const SeedSet& seeds, size_t limit) const {
  std::vector<std::pair<uint32_t, double>> out;
  if (limit == 0) return out;
  const bool global = seeds.files.empty();

  // Rank flow per name from the best files (all files for the global rank).
  std::vector<uint8_t> is_source(files_.size(), 0);
  std::vector<uint32_t> sources;
  size_t flow_entries = 0;
  double covered = 0;
  for (size_t i = 0;; ++i) {
    if (!global && (sources.size() >= options_.max_flow_sources ||
                    covered >= options_.flow_mass * order->total())) {
      break;
    }
    const uint32_t a = order->At(i);
    if (a == kNone) break;
    covered += rank[a];
    is_source[a] = 1;
    if (out_total_[a] <= 0) continue;
    sources.push_back(a);
    flow_entries += file_refs_begin_[a + 1] - file_refs_begin_[a];
  }
  absl::flat_hash_map<uint32_t, double> flow;  // name → flow from the sources
  flow.reserve(flow_entries);
  for (uint32_t a : sources) {
    const double scale = rank[a] / out_total_[a];
    for (uint32_t i = file_refs_begin_[a]; i < file_refs_begin_[a + 1]; ++i) {
      flow[file_refs_[i].name] += scale * file_refs_[i].weight;
    }
  }
  // flow(B, n) without B's own references to n.
  auto flow_into = [&](uint32_t b, uint32_t name) -> double {
    auto it = flow.find(name);
    if (it == flow.end()) return 0;
    double f = it->second;
    if (is_source[b] && out_total_[b] > 0) {
      auto begin = file_refs_.begin() + file_refs_begin_[b];
      auto end = file_refs_.begin() + file_refs_begin_[b + 1];
      auto self = std::lower_bound(begin, end, name,
                                   [](const NameCount& c, uint32_t n) { return c.name < n; });
      if (self != end && self->name == name) f -= rank[b] / out_total_[b] * self->weight;
    }
    return std::max(0.0, f);
  };

  // Boosted definitions (seed identifiers): their extra score, known before any file is scored.
  absl::flat_hash_map<uint32_t, double> boost;  // def → boost
  for (const auto& [name, weight] : seeds.names) {
    const uint32_t begin = name_defs_begin_[name], end = name_defs_begin_[name + 1];
    for (uint32_t i = begin; i < end; ++i) {
      boost[name_defs_[i]] += kSeedBoost * weight / (end - begin);
    }
  }

  // Scores the definitions of file b, calling emit(def, score) for each.
  std::vector<double> def_flow;
  std::vector<std::pair<uint32_t, double>> flowing;  // (def, flow) of a large file
  auto score_file = [&](uint32_t b, auto emit) {
    const uint32_t begin = file_defs_[b], end = file_defs_[b + 1];
    if (begin == end) return;
    // A file with more definitions than there are flowing names (generated register headers hold
    // tens of thousands of macros) is scored from the names instead: only its definitions that
    // receive flow are emitted; the others would score rank·kEvenShare/count, below anything shown.
    if (end - begin > kLargeFileDefinitions && flow.size() < end - begin) {
      flowing.clear();
      double inflow = 0;
      for (const auto& [name, unused] : flow) {
        for (uint32_t i = name_defs_begin_[name]; i < name_defs_begin_[name + 1]; ++i) {
          const uint32_t d = name_defs_[i];
          if (defs_[d].file != b) continue;
          const double f = flow_into(b, name) / def_multiplicity_[d];
          if (f <= 0) continue;
          flowing.emplace_back(d, f);
          inflow += f;
        }
      }
      const double count = end - begin;
      for (const auto& [d, f] : flowing) {
        emit(d, rank[b] * ((1 - kEvenShare) * f / inflow + kEvenShare / count));
      }
      return;
    }
    def_flow.resize(end - begin);
    double inflow = 0;
    for (uint32_t d = begin; d < end; ++d) {
      const double f = flow_into(b, defs_[d].name) / def_multiplicity_[d];
      def_flow[d - begin] = f;
      inflow += f;
    }
    const double count = end - begin;
    for (uint32_t d = begin; d < end; ++d) {
      const double share =
          inflow > 0 ? (1 - kEvenShare) * def_flow[d - begin] / inflow + kEvenShare / count
                     : 1 / count;
      emit(d, rank[b] * share);
    }
  };

  // Files in rank order; a definition scores at most its file's rank (boosts aside), so the scan
  // stops once a file's rank is below the limit-th best score.
  std::priority_queue<double, std::vector<double>, std::greater<double>> best;  // top `limit`
  auto offer = [&](uint32_t d, double score) {
    if (!(score > 0)) return;
    if (best.size() >= limit && score < best.top()) return;
    out.emplace_back(d, score);
    best.push(score);
    if (best.size() > limit) best.pop();
  };
  std::vector<uint8_t> file_scored(boost.empty() ? 0 : files_.size(), 0);
  for (size_t i = 0;; ++i) {
    const uint32_t b = order->At(i);
    if (b == kNone || (best.size() >= limit && rank[b] < best.top())) break;
    if (!boost.empty()) file_scored[b] = 1;
    score_file(b, [&](uint32_t d, double score) {
      auto it = boost.find(d);
      offer(d, it == boost.end() ? score : score + it->second);
    });
  }
  // Boosted definitions of files the scan did not reach.
  for (const auto& [d, extra] : boost) {
    const uint32_t b = defs_[d].file;
    if (file_scored[b]) continue;
    double base = 0;
    if (rank[b] > 0) {
      score_file(b, [&](uint32_t other, double score) {
        if (other == d) base = score;
      });
    }
    offer(d, base + extra);
  }

  const DefOrder by_score{&defs_};
  if (out.size() > limit) {
    std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(limit), out.end(),
                      by_score);
    out.resize(limit);
  } else {
    std::sort(out.begin(), out.end(), by_score);
  }
  return out;
}

RankedDefinition SymbolGraph::MakeRanked(uint32_t def, double score) const {
  const GraphFacts::Definition& d = defs_[def];
  RankedDefinition out;
  out.path = std::string(files_[d.file]);
  out.name = std::string(names_[d.name]);
  out.kind = d.kind;
  out.signature = signatures_.substr(d.signature_offset, d.signature_size);
  out.start_line = d.start_line;
  out.end_line = d.end_line;
  out.symbol_id = d.symbol_id;
  out.score = score;
  return out;
}

RepoMapRanking SymbolGraph::Rank(const RepoMapSeeds& seeds, size_t file_limit,
                                 size_t definition_limit) const {
  RepoMapRanking out;
  const SeedSet set = ResolveSeeds(seeds);
  if (set.files.empty()) {
    for (size_t i = 0; i < global_files_.size() && out.files.size() < file_limit; ++i) {
      out.files.push_back({std::string(files_[global_files_[i]]), global_rank_[global_files_[i]]});
    }
    if (definition_limit <= global_defs_.size() || global_defs_.size() < kGlobalDefinitions) {
      for (size_t i = 0; i < global_defs_.size() && out.definitions.size() < definition_limit;
           ++i) {
        out.definitions.push_back(MakeRanked(global_defs_[i].first, global_defs_[i].second));
      }
    } else {
      RankOrder order(global_rank_, global_files_);
      for (const auto& [def, score] :
           ScoreDefinitions(global_rank_, &order, set, definition_limit)) {
        out.definitions.push_back(MakeRanked(def, score));
      }
    }
    return out;
  }
  const std::vector<double> rank = Push(set);
  RankOrder order(rank);
  for (size_t i = 0; out.files.size() < file_limit; ++i) {
    const uint32_t f = order.At(i);
    if (f == kNone) break;
    out.files.push_back({std::string(files_[f]), rank[f]});
  }
  for (const auto& [def, score] : ScoreDefinitions(rank, &order, set, definition_limit)) {
    out.definitions.push_back(MakeRanked(def, score));
  }
  return out;
}

std::vector<RankedFile> SymbolGraph::RankFiles(const RepoMapSeeds& seeds, size_t limit) const {
  return Rank(seeds, limit, 0).files;
}

std::vector<RankedDefinition> SymbolGraph::RankDefinitions(const RepoMapSeeds& seeds,
                                                           size_t limit) const {
  return Rank(seeds, 0, limit).definitions;
}

std::vector<SymbolGraph::Edge> SymbolGraph::Edges() const {
  std::vector<Edge> out;
  for (uint32_t a = 0; a < files_.size(); ++a) {
    for (uint32_t e = out_begin_[a]; e < out_begin_[a + 1]; ++e) {
      out.push_back({std::string(files_[a]), std::string(files_[out_to_[e]]), out_weight_[e]});
    }
  }
  return out;
}

size_t SymbolGraph::MemoryBytes() const {
  size_t bytes = sizeof(*this) + signatures_.capacity();
  bytes += files_.MemoryBytes() + names_.MemoryBytes();
  bytes += VectorBytes(defs_) + VectorBytes(file_defs_) + VectorBytes(name_defs_begin_) +
           VectorBytes(name_defs_) + VectorBytes(name_files_begin_) + VectorBytes(name_files_) +
           VectorBytes(file_refs_begin_) + VectorBytes(file_refs_) + VectorBytes(name_refs_begin_) +
           VectorBytes(name_refs_) + VectorBytes(out_begin_) + VectorBytes(out_to_) +
           VectorBytes(out_weight_) + VectorBytes(out_total_) + VectorBytes(push_threshold_) +
           VectorBytes(global_rank_) + VectorBytes(global_files_) + VectorBytes(global_defs_) +
           VectorBytes(def_multiplicity_);
  return bytes;
}

}  // namespace engram::repo_index
