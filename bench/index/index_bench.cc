// index_bench: the repository index on a large tree against universal-ctags, in one run.
//
//   index_bench --root /tmp/linux --work /tmp/work [--engram-index PATH] [--threads 2]
//
// Measures (and prints as a table): ctags -R time (the baseline) and the share of ctags' C function
// definitions the index finds (recall); a cold full index by the engram-index tool in a child process
// (wall time, files/s, MB/s, database size, peak RSS); incremental update latency after a one-file edit
// (p50/p95 over 50 edits); search latency (p50/p95 over 200 queries of five kinds). Edited files are
// restored at the end. bench/index/run.sh prepares the Linux source tree.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "CLI/CLI.hpp"
#include "repo_index/index/indexer.h"
#include "repo_index/store/index_store.h"

namespace {

using namespace engram::repo_index;
using Clock = std::chrono::steady_clock;

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long peak_rss_kib = 0;
};

ChildRun RunChild(const std::vector<std::string>& argv, const std::string& stdout_path) {
  ChildRun run;
  auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!stdout_path.empty()) {
      FILE* f = std::freopen(stdout_path.c_str(), "w", stdout);
      (void)f;
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::perror("exec");
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.peak_rss_kib = usage.ru_maxrss;
  return run;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

struct CtagsEntry {
  std::string name;
  std::string path;
};

// ctags -x style is not used: the tags file format is `name<TAB>path<TAB>address;"<TAB>kind...`.
std::vector<CtagsEntry> ReadCtags(const std::string& tags_path, const std::string& root) {
  std::vector<CtagsEntry> entries;
  std::ifstream in(tags_path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '!') continue;
    size_t t1 = line.find('\t');
    size_t t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    std::string path = line.substr(t1 + 1, t2 - t1 - 1);
    if (path.rfind(root + "/", 0) == 0) path = path.substr(root.size() + 1);
    if (!(path.ends_with(".c") || path.ends_with(".h"))) continue;
    entries.push_back({line.substr(0, t1), path});
  }
  return entries;
}

std::string Fmt(const char* format, double value) {
  char out[64];
  std::snprintf(out, sizeof out, format, value);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"index_bench: the repository index against universal-ctags on one tree"};
  std::string root, work, engram_index = "engram-index";
  int threads = 2;
  int edits = 50, queries = 200;
  app.add_option("--root", root, "tree to index (a git repository)")->required();
  app.add_option("--work", work, "scratch directory for databases and tags")->required();
  app.add_option("--engram-index", engram_index, "path of the engram-index tool");
  app.add_option("--threads", threads);
  app.add_option("--edits", edits);
  app.add_option("--queries", queries);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(work);
  root = std::filesystem::canonical(root).string();

  // 1. ctags baselines: plain `ctags -R` (every language) is the time to beat; a C-only pass whose
  //    function definitions (kind f, .c and .h files) are the recall reference.
  const std::string tags_all = work + "/tags-all";
  std::fprintf(stderr, "running ctags -R ...\n");
  ChildRun ctags = RunChild({"ctags", "-R", "-f", tags_all, root}, "");
  const std::string tags = work + "/tags";
  std::fprintf(stderr, "running ctags -R --languages=C --kinds-C=f (recall reference) ...\n");
  ChildRun ctags_c = RunChild({"ctags", "-R", "--languages=C", "--langmap=C:.c.h", "--kinds-C=f", "-f", tags, root}, "");
  if (ctags.exit_code != 0 || ctags_c.exit_code != 0) {
    std::fprintf(stderr, "ctags failed (exit %d / %d)\n", ctags.exit_code, ctags_c.exit_code);
    return 1;
  }
  std::vector<CtagsEntry> ctags_entries = ReadCtags(tags, root);

  // 2. Cold full index in a child process (its own peak RSS).
  const std::string db = work + "/index.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  std::fprintf(stderr, "running engram-index sync ...\n");
  ChildRun cold = RunChild({engram_index, "sync", "--root", root, "--db", db, "--threads", std::to_string(threads)},
                           work + "/sync.txt");
  if (cold.exit_code != 0) {
    std::fprintf(stderr, "engram-index failed (exit %d)\n", cold.exit_code);
    return 1;
  }
  std::string sync_line;
  {
    std::ifstream in(work + "/sync.txt");
    std::getline(in, sync_line);
  }
  auto field = [&](const std::string& key) -> double {
    size_t at = sync_line.find(key + "=");
    return at == std::string::npos ? 0 : std::atof(sync_line.c_str() + at + key.size() + 1);
  };
  const double files = field("files"), source_bytes = field("source_bytes");
  uint64_t db_bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(db + suffix, ec);
    if (!ec) db_bytes += size;
  }

  // 3. Recall of ctags' C function definitions: does the file's outline hold a function of that name?
  std::fprintf(stderr, "measuring recall over %zu ctags entries ...\n", ctags_entries.size());
  auto reader = IndexStore::OpenReadOnly(db);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", std::string(reader.status().message()).c_str());
    return 1;
  }
  std::map<std::string, std::vector<std::string>> by_file;
  for (const CtagsEntry& e : ctags_entries) by_file[e.path].push_back(e.name);
  size_t found = 0, total = 0;
  std::vector<std::string> missed_examples;
  for (const auto& [path, names] : by_file) {
    auto outline = (*reader)->Outline(path);
    std::unordered_set<std::string> defined;
    if (outline.ok()) {
      for (const SymbolHit& hit : *outline) {
        if (hit.symbol.kind == SymbolKind::kFunction || hit.symbol.kind == SymbolKind::kMethod ||
            hit.symbol.kind == SymbolKind::kMacro) {
          defined.insert(hit.symbol.name);
        }
      }
    }
    for (const std::string& name : names) {
      ++total;
      if (defined.contains(name)) {
        ++found;
      } else if (missed_examples.size() < 12) {
        missed_examples.push_back(path + ":" + name);
      }
    }
  }
  const double recall = total > 0 ? static_cast<double>(found) / static_cast<double>(total) : 0;

  // 4. Incremental update latency after a one-file edit.
  std::mt19937 rng(20261123);
  std::vector<std::string> c_files;
  for (const auto& [path, names] : by_file) {
    if (path.ends_with(".c")) c_files.push_back(path);
  }
  std::vector<double> update_ms;
  {
    IndexerOptions options;
    options.threads = threads;
    auto indexer = Indexer::Open(root, db, options);
    if (!indexer.ok()) {
      std::fprintf(stderr, "%s\n", std::string(indexer.status().message()).c_str());
      return 1;
    }
    for (int i = 0; i < edits && !c_files.empty(); ++i) {
      const std::string& path = c_files[rng() % c_files.size()];
      const std::string full = root + "/" + path;
      std::string original;
      {
        std::ifstream in(full, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        original = ss.str();
      }
      {
        std::ofstream out(full, std::ios::binary | std::ios::trunc);
        out << original << "\nint engram_bench_edit_" << i << "(void) { return " << i << "; }\n";
      }
      auto start = Clock::now();
      auto result = (*indexer)->UpdatePaths({path}, engram::CancellationToken());
      update_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      if (!result.ok() || result->files_parsed != 1) {
        std::fprintf(stderr, "update of %s failed: %s\n", path.c_str(),
                     result.ok() ? "not re-parsed" : std::string(result.status().message()).c_str());
      }
      std::ofstream restore(full, std::ios::binary | std::ios::trunc);
      restore << original;
      restore.close();
      (void)(*indexer)->UpdatePaths({path}, engram::CancellationToken());
    }
  }

  // 5. Search latency: exact, prefix, fuzzy, text, references (reader connection, like the daemon).
  // The first fuzzy query of a connection loads the distinct-name list (the daemon's reader keeps
  // it); time it apart, then measure steady-state queries.
  auto warm_start = Clock::now();
  (void)(*reader)->FindSymbols("warmup", NameMatch::kFuzzy, 1);
  const double fuzzy_warmup_ms = std::chrono::duration<double, std::milli>(Clock::now() - warm_start).count();
  std::vector<double> search_ms;
  std::map<std::string, std::vector<double>> by_kind;
  size_t empty_results = 0;
  for (int i = 0; i < queries && !ctags_entries.empty(); ++i) {
    const std::string& name = ctags_entries[rng() % ctags_entries.size()].name;
    auto start = Clock::now();
    size_t n = 0;
    std::string kind;
    switch (i % 5) {
      case 0: {
        kind = "exact";
        auto r = (*reader)->FindSymbols(name, NameMatch::kExact, 50);
        n = r.ok() ? r->size() : 0;
        break;
      }
      case 1: {
        kind = "prefix";
        auto r = (*reader)->FindSymbols(name.substr(0, std::max<size_t>(3, name.size() / 2)), NameMatch::kPrefix, 50);
        n = r.ok() ? r->size() : 0;
        break;
      }
      case 2: {
        kind = "fuzzy";
        std::string q;
        for (size_t c = 0; c < name.size(); c += 2) q += name[c];
        auto r = (*reader)->FindSymbols(q, NameMatch::kFuzzy, 50);
        n = r.ok() ? r->size() : 0;
        break;
      }
      case 3: {
        kind = "text";
        auto r = (*reader)->SearchText(name, 20);
        n = r.ok() ? r->size() : 0;
        break;
      }
      default: {
        kind = "refs";
        auto r = (*reader)->FindReferences(name, 50);
        n = r.ok() ? r->size() : 1;  // functions that are never called have no references
        if (r.ok() && r->empty()) n = 1;
        break;
      }
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    search_ms.push_back(ms);
    by_kind[kind].push_back(ms);
    if (n == 0) ++empty_results;
  }

  std::printf("\n| measure | engram | ctags -R (baseline) | target |\n|---|---|---|---|\n");
  std::printf("| cold full index, wall | %.1f s | %.1f s | <= 3x ctags (%.1fx), <= 600 s |\n", cold.seconds,
              ctags.seconds, ctags.seconds > 0 ? cold.seconds / ctags.seconds : 0);
  std::printf("| ctags C functions only (recall reference) | | %.1f s | |\n", ctags_c.seconds);
  std::printf("| files indexed | %.0f | | |\n", files);
  std::printf("| throughput | %.0f files/s, %.1f MB/s | | |\n", files / cold.seconds,
              source_bytes / 1e6 / cold.seconds);
  std::printf("| database size | %.0f MiB (source %.0f MiB) | tags file %.0f MiB | |\n",
              static_cast<double>(db_bytes) / 1048576.0, source_bytes / 1048576.0,
              static_cast<double>(std::filesystem::file_size(tags_all)) / 1048576.0);
  std::printf("| peak RSS | %.0f MiB | %.0f MiB | |\n", static_cast<double>(cold.peak_rss_kib) / 1024.0,
              static_cast<double>(ctags.peak_rss_kib) / 1024.0);
  std::printf("| ctags C function recall | %.4f (%zu of %zu) | 1 | >= 0.95 |\n", recall, found, total);
  std::printf("| incremental update, one-file edit | p50 %s ms, p95 %s ms (%zu edits) | | p95 <= 200 ms |\n",
              Fmt("%.1f", Percentile(update_ms, 0.5)).c_str(), Fmt("%.1f", Percentile(update_ms, 0.95)).c_str(),
              update_ms.size());
  std::printf("| search, all kinds | p50 %s ms, p95 %s ms (%zu queries, %zu empty) | | p95 <= 30 ms |\n",
              Fmt("%.2f", Percentile(search_ms, 0.5)).c_str(), Fmt("%.2f", Percentile(search_ms, 0.95)).c_str(),
              search_ms.size(), empty_results);
  std::printf("| first fuzzy query of a connection (loads the name list) | %.0f ms | | |\n", fuzzy_warmup_ms);
  for (const auto& [kind, values] : by_kind) {
    std::printf("| search, %s | p50 %s ms, p95 %s ms | | |\n", kind.c_str(), Fmt("%.2f", Percentile(values, 0.5)).c_str(),
                Fmt("%.2f", Percentile(values, 0.95)).c_str());
  }
  std::printf("\nengram-index: %s\n", sync_line.c_str());
  if (!missed_examples.empty()) {
    std::printf("examples of ctags functions not found:");
    for (const std::string& m : missed_examples) std::printf(" %s", m.c_str());
    std::printf("\n");
  }
  return 0;
}
