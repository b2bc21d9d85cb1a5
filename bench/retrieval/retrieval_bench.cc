// The retrieval evaluation: on an indexed tree, random call sites of functions defined (once) in
// another file; the query is the 20 lines around the call, with the call's file and line as the
// current file and cursor. Reports recall@1/5/10 of the defining file per signal and fused,
// latency, and the n-gram memory's size. Prints markdown tables. See bench/retrieval/run.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/memory/ngram_memory.h"
#include "repo_index/query/workspace_memory.h"
#include "repo_index/store/index_store.h"
#include "repo_index/store/sqlite.h"
#include "support/cancellation.h"

namespace engram::repo_index {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct CallSite {
  std::string call_path;
  uint32_t line = 0;
  std::string def_path;
  std::string name;
};

[[noreturn]] void Die(const absl::Status& status) {
  std::fprintf(stderr, "retrieval_bench: %s\n", status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T OrDie(absl::StatusOr<T> v) {
  if (!v.ok()) Die(v.status());
  return std::move(*v);
}

// Call sites of functions that have exactly one definition (and no other symbol of that name), in a
// file other than the caller's; `n` of them, drawn with a fixed seed.
std::vector<CallSite> SampleCallSites(const std::string& db_path, size_t n, uint32_t seed) {
  auto db = OrDie(SqliteDb::Open(db_path, SqliteDb::Mode::kReadOnly));
  absl::flat_hash_map<int64_t, std::string> paths;
  {
    auto st = OrDie(db->Prepare("SELECT id, path FROM files"));
    while (OrDie(st.Step())) paths[st.ColumnInt64(0)] = std::string(st.ColumnText(1));
  }
  struct Def {
    int count = 0;
    int64_t file = 0;
    bool function = false;
  };
  absl::flat_hash_map<int64_t, Def> defs;
  {
    auto st = OrDie(db->Prepare("SELECT name_id, id >> 24, kind FROM symbols"));
    while (OrDie(st.Step())) {
      Def& d = defs[st.ColumnInt64(0)];
      ++d.count;
      d.file = st.ColumnInt64(1);
      d.function = st.ColumnInt64(2) == 0;
    }
  }
  struct Ref {
    int64_t file;
    int64_t name;
    uint32_t line;
  };
  std::vector<Ref> eligible;
  {
    auto st = OrDie(db->Prepare("SELECT id >> 24, name_id, line FROM refs WHERE kind = 0"));
    while (OrDie(st.Step())) {
      const int64_t name = st.ColumnInt64(1);
      auto it = defs.find(name);
      if (it == defs.end() || it->second.count != 1 || !it->second.function) continue;
      if (it->second.file == st.ColumnInt64(0)) continue;
      eligible.push_back({st.ColumnInt64(0), name, static_cast<uint32_t>(st.ColumnInt64(2))});
    }
  }
  std::fprintf(stderr, "%zu eligible call sites\n", eligible.size());
  std::mt19937_64 rng(seed);
  std::shuffle(eligible.begin(), eligible.end(), rng);
  if (eligible.size() > n) eligible.resize(n);
  absl::flat_hash_map<int64_t, std::string> names;
  {
    auto st = OrDie(db->Prepare("SELECT name FROM names WHERE id = ?1"));
    for (const Ref& r : eligible) {
      st.Bind(1, r.name);
      if (OrDie(st.Step())) names[r.name] = std::string(st.ColumnText(0));
      st.Reset();
    }
  }
  std::vector<CallSite> sites;
  for (const Ref& r : eligible) {
    sites.push_back({paths[r.file], r.line, paths[defs[r.name].file], names[r.name]});
  }
  return sites;
}

// Lines [line-10, line+9] of root/path (1-based).
std::string Window(const std::string& root, const std::string& path, uint32_t line) {
  std::ifstream in(root + "/" + path);
  std::string text, l;
  uint32_t n = 0;
  const uint32_t first = line > 10 ? line - 10 : 1;
  while (std::getline(in, l)) {
    ++n;
    if (n >= first && n < first + 20) text += l + "\n";
    if (n >= first + 20) break;
  }
  return text;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int Run(int argc, char** argv) {
  CLI::App app{"retrieval_bench: recall and latency of the project memory on call sites"};
  std::string root, db_path, ngram_dir;
  size_t samples = 500;
  uint32_t seed = 1;
  size_t budget = 8000;
  app.add_option("--root", root, "the indexed tree")->required();
  app.add_option("--db", db_path, "its index database")->required();
  app.add_option("--ngram", ngram_dir, "n-gram memory directory (built or brought up to date)")
      ->required();
  app.add_option("--samples", samples);
  app.add_option("--seed", seed);
  app.add_option("--budget", budget);
  bool skip_sync = false;
  app.add_flag("--skip-sync", skip_sync);
  CLI11_PARSE(app, argc, argv);

  auto tokenizer = std::make_shared<LexicalTokenizer>();
  // 1. The n-gram memory, built or synced from the index.
  std::shared_ptr<NgramMemory> ngram = OrDie(NgramMemory::Open(ngram_dir, tokenizer));
  double ngram_ms = 0;
  NgramSyncSummary sync;
  {
    auto store = OrDie(IndexStore::Open(db_path));
    const auto t0 = Clock::now();
    if (!skip_sync) sync = OrDie(SyncNgramMemory(*store, root, *ngram, CancellationToken()));
    ngram_ms = MsSince(t0);
  }
  const NgramStats stats = ngram->Stats();

  // 2. The memory, warmed up (symbol graph built).
  auto memory = OrDie(WorkspaceMemory::Open(db_path, ngram, tokenizer));
  const auto tw = Clock::now();
  if (absl::Status s = memory->WarmUp(); !s.ok()) Die(s);
  const double graph_ms = MsSince(tw);

  // 3. The call sites and their queries.
  const auto ts = Clock::now();
  std::vector<CallSite> sites = SampleCallSites(db_path, samples, seed);
  const double sample_ms = MsSince(ts);

  constexpr int kSignals = kSignalCount + 1;                  // + fused
  std::vector<std::array<int, 3>> hits(kSignals, {0, 0, 0});  // @1, @5, @10
  std::vector<double> latency;
  std::vector<std::vector<double>> signal_ms(kSignalCount);
  std::vector<double> items, tokens;
  for (const CallSite& site : sites) {
    RetrievalQuery query;
    query.text = Window(root, site.call_path, site.line);
    query.current_file = site.call_path;
    query.cursor_line = site.line;
    const auto t0 = Clock::now();
    RetrievalResult r = OrDie(memory->Retrieve(query, budget));
    latency.push_back(MsSince(t0));
    items.push_back(static_cast<double>(r.items.size()));
    tokens.push_back(static_cast<double>(r.tokens_used));
    auto score = [&](int row, const std::vector<std::string>& files) {
      for (size_t i = 0; i < files.size() && i < 10; ++i) {
        if (files[i] != site.def_path) continue;
        if (i < 1) ++hits[row][0];
        if (i < 5) ++hits[row][1];
        ++hits[row][2];
        break;
      }
    };
    for (const SignalRun& run : r.signals) {
      score(static_cast<int>(run.signal), run.files);
      signal_ms[static_cast<size_t>(run.signal)].push_back(run.elapsed_ms);
    }
    std::vector<std::string> fused;
    for (const FusedFile& f : r.files) fused.push_back(f.path);
    score(kSignalCount, fused);
  }

  const double n = static_cast<double>(sites.size());
  std::printf("\n## Retrieval: %zu call sites (seed %u), budget %zu tokens, tree %s\n\n",
              sites.size(), seed, budget, root.c_str());
  std::printf(
      "| signal | recall@1 | recall@5 | recall@10 | p50 ms | p95 ms "
      "|\n|---|---|---|---|---|---|\n");
  for (int s = 0; s < kSignals; ++s) {
    const bool fused = s == kSignalCount;
    const std::string name = fused ? "**fused**" : std::string(SignalName(static_cast<Signal>(s)));
    const std::vector<double>& ms = fused ? latency : signal_ms[static_cast<size_t>(s)];
    std::printf("| %s | %.3f | %.3f | %.3f | %.1f | %.1f |\n", name.c_str(), hits[s][0] / n,
                hits[s][1] / n, hits[s][2] / n, Percentile(ms, 0.5), Percentile(ms, 0.95));
  }
  std::printf("\nitems per answer p50 %.0f, tokens used p50 %.0f of %zu\n", Percentile(items, 0.5),
              Percentile(tokens, 0.5), budget);
  std::printf("\n## Memory\n\n| what | value |\n|---|---|\n");
  std::printf("| n-gram memory files | %llu |\n", static_cast<unsigned long long>(stats.files));
  std::printf("| tokens (lexical) | %llu |\n", static_cast<unsigned long long>(stats.tokens));
  std::printf("| bytes on disk | %.1f MiB |\n", static_cast<double>(stats.bytes) / (1 << 20));
  std::printf("| bytes per token | %.2f |\n", stats.bytes_per_token);
  std::printf("| heads, segments | %d, %llu |\n", stats.heads,
              static_cast<unsigned long long>(stats.segments));
  std::printf("| n-gram sync (added %llu files) | %.1f s |\n",
              static_cast<unsigned long long>(sync.files_added), ngram_ms / 1000);
  std::printf("| symbol graph build | %.1f s |\n", graph_ms / 1000);
  std::printf("| call-site sampling | %.1f s |\n", sample_ms / 1000);
  return 0;
}

}  // namespace
}  // namespace engram::repo_index

int main(int argc, char** argv) { return engram::repo_index::Run(argc, argv); }
