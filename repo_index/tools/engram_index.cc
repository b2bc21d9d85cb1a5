// engram-index: the repository indexer without the daemon (benchmarks, crash tests, debugging).
//
//   engram-index sync  --root DIR --db FILE [--threads N] [--history N]   index / bring up to date
//   engram-index update --root DIR --db FILE PATH...                        re-examine these paths
//   engram-index dump  --db FILE                                            canonical dump to stdout
//   engram-index check --db FILE                                            PRAGMA integrity_check
//
// `sync` prints one summary line (key=value) on stdout; with --progress, progress lines on stderr.
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "repo_index/index/indexer.h"
#include "repo_index/store/index_store.h"

namespace {

using namespace engram::repo_index;

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "engram-index: %s\n", std::string(status.message()).c_str());
  return 1;
}

void PrintSummary(const IndexSummary& s) {
  std::printf(
      "files=%llu parsed=%llu unchanged=%llu deleted=%llu hashed=%llu symbols=%llu references=%llu imports=%llu "
      "resolved=%llu chunks=%llu source_bytes=%llu db_bytes=%llu skipped=%u parse_errors=%llu elapsed_ms=%.1f "
      "scan_ms=%.1f parse_ms=%.1f history_ms=%.1f history_commits=%u\n",
      (unsigned long long)s.files, (unsigned long long)s.files_parsed, (unsigned long long)s.files_unchanged,
      (unsigned long long)s.files_deleted, (unsigned long long)s.files_hashed, (unsigned long long)s.stats.symbols,
      (unsigned long long)s.stats.references, (unsigned long long)s.stats.imports,
      (unsigned long long)s.stats.imports_resolved, (unsigned long long)s.stats.chunks,
      (unsigned long long)s.stats.source_bytes, (unsigned long long)s.stats.database_bytes, s.skipped.total(),
      (unsigned long long)s.parse_errors, s.elapsed_ms, s.scan_ms, s.parse_ms, s.history_ms, s.history_commits);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"engram-index: build and inspect a repository index without the daemon"};
  app.require_subcommand(1);
  std::string root, db;
  int threads = 0;
  int history = 2000;
  bool progress = false;
  std::vector<std::string> paths;
  auto* sync = app.add_subcommand("sync", "index ROOT into DB (incrementally when DB exists)");
  sync->add_option("--root", root)->required();
  sync->add_option("--db", db)->required();
  sync->add_option("--threads", threads);
  sync->add_option("--history", history);
  sync->add_flag("--progress", progress);
  auto* update = app.add_subcommand("update", "re-examine PATHs (workspace-relative)");
  update->add_option("--root", root)->required();
  update->add_option("--db", db)->required();
  update->add_option("paths", paths)->required();
  auto* dump = app.add_subcommand("dump", "print the canonical dump of DB");
  dump->add_option("--db", db)->required();
  auto* check = app.add_subcommand("check", "run PRAGMA integrity_check on DB");
  check->add_option("--db", db)->required();
  CLI11_PARSE(app, argc, argv);

  if (*sync || *update) {
    IndexerOptions options;
    options.threads = threads;
    options.history_commits = static_cast<uint32_t>(history);
    auto indexer = Indexer::Open(root, db, options);
    if (!indexer.ok()) return Fail(indexer.status());
    absl::StatusOr<IndexSummary> summary;
    if (*sync) {
      summary = (*indexer)->Sync(
          [&](const IndexProgress& p) {
            if (!progress) return;
            std::fprintf(stderr, "progress phase=%s done=%llu total=%llu files_per_s=%.0f eta_s=%.0f\n",
                         std::string(PhaseName(p.phase)).c_str(), (unsigned long long)p.files_done,
                         (unsigned long long)p.files_total, p.files_per_second, p.eta_seconds);
          },
          engram::CancellationToken());
    } else {
      summary = (*indexer)->UpdatePaths(paths, engram::CancellationToken());
    }
    if (!summary.ok()) return Fail(summary.status());
    PrintSummary(*summary);
    return 0;
  }
  auto store = IndexStore::Open(db);  // read-write: recovers a WAL left by a killed writer
  if (!store.ok()) return Fail(store.status());
  if (*dump) {
    auto text = (*store)->CanonicalDump();
    if (!text.ok()) return Fail(text.status());
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  absl::Status integrity = (*store)->IntegrityCheck();
  if (!integrity.ok()) return Fail(integrity);
  std::printf("ok\n");
  return 0;
}
