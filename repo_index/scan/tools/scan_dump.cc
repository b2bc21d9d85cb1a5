// engram-scan-dump: scans a workspace and prints counts and timings (development tool).
//
//   engram-scan-dump <root> [--warm] [--history N] [--list] [--max-bytes N] [--max-files N]
//   [--no-scan]
//
// --warm scans a second time with the first scan's results as the stat cache; --history reads the
// last N first-parent commits; --list prints every file (path, blob id, language).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

#include "repo_index/scan/history.h"
#include "repo_index/scan/scanner.h"

namespace {

using engram::repo_index::ScanResult;

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void PrintScan(const char* label, const ScanResult& scan, double seconds) {
  const auto& s = scan.skipped;
  uint64_t bytes = 0;
  for (const auto& f : scan.files) bytes += f.stat.size;
  std::printf(
      "%s: %.3f s, git=%d head=%s ref=%s files=%zu (%.1f MB) hashed=%u submodules=%zu skipped: "
      "binary=%u too_large=%u lfs=%u symlink=%u symlink_escape=%u unreadable=%u bad_path=%u\n",
      label, seconds, scan.is_git ? 1 : 0,
      scan.head_commit.empty() ? "-" : scan.head_commit.c_str(),
      scan.head_ref.empty() ? "-" : scan.head_ref.c_str(), scan.files.size(), bytes / 1e6,
      scan.hashed, scan.submodules.size(), s.binary, s.too_large, s.lfs_pointer, s.symlink,
      s.symlink_escape, s.unreadable, s.bad_path);
}

int RunScan(const std::string& root, engram::repo_index::ScanOptions options, bool warm,
            bool list) {
  auto start = std::chrono::steady_clock::now();
  auto scan = engram::repo_index::ScanWorkspace(root, options);
  if (!scan.ok()) {
    std::fprintf(stderr, "%s\n", scan.status().ToString().c_str());
    return 1;
  }
  PrintScan("scan", *scan, Seconds(start));
  if (list) {
    for (const auto& f : scan->files) {
      std::printf("%s %s %s%s\n", f.blob_id.c_str(), f.path.c_str(),
                  std::string(engram::repo_index::LanguageName(f.language)).c_str(),
                  f.tracked ? " tracked" : "");
    }
  }
  if (warm) {
    std::unordered_map<std::string, engram::repo_index::StatCacheEntry> cache;
    for (const auto& f : scan->files) cache[f.path] = {f.stat, f.blob_id};
    options.stat_cache = &cache;
    start = std::chrono::steady_clock::now();
    auto again = engram::repo_index::ScanWorkspace(root, options);
    if (!again.ok()) {
      std::fprintf(stderr, "%s\n", again.status().ToString().c_str());
      return 1;
    }
    PrintScan("warm scan", *again, Seconds(start));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s <root> [--warm] [--history N] [--list] [--max-bytes N] [--max-files N] "
                 "[--no-scan]\n",
                 argv[0]);
    return 2;
  }
  std::string root = argv[1];
  bool warm = false, list = false, no_scan = false;
  long history_commits = 0;
  long max_files_per_commit = -1;
  engram::repo_index::ScanOptions options;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--warm") == 0) {
      warm = true;
    } else if (std::strcmp(argv[i], "--list") == 0) {
      list = true;
    } else if (std::strcmp(argv[i], "--history") == 0 && i + 1 < argc) {
      history_commits = std::atol(argv[++i]);
    } else if (std::strcmp(argv[i], "--max-files") == 0 && i + 1 < argc) {
      max_files_per_commit = std::atol(argv[++i]);
    } else if (std::strcmp(argv[i], "--no-scan") == 0) {
      no_scan = true;
    } else if (std::strcmp(argv[i], "--max-bytes") == 0 && i + 1 < argc) {
      options.max_file_bytes = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }

  if (!no_scan) {
    int rc = RunScan(root, options, warm, list);
    if (rc != 0) return rc;
  }
  if (history_commits > 0) {
    auto start = std::chrono::steady_clock::now();
    engram::repo_index::HistoryOptions history_options;
    history_options.max_commits = static_cast<uint32_t>(history_commits);
    if (max_files_per_commit >= 0) {
      history_options.max_files_per_commit = static_cast<uint32_t>(max_files_per_commit);
    }
    auto history = engram::repo_index::ReadHistory(root, history_options);
    if (!history.ok()) {
      std::fprintf(stderr, "%s\n", history.status().ToString().c_str());
      return 1;
    }
    uint64_t added = 0, deleted = 0;
    for (const auto& f : history->files) {
      added += f.lines_added;
      deleted += f.lines_deleted;
    }
    std::printf("history: %.3f s, commits=%u files=%zu pairs=%zu lines +%llu -%llu\n",
                Seconds(start), history->commits_walked, history->files.size(),
                history->pairs.size(), static_cast<unsigned long long>(added),
                static_cast<unsigned long long>(deleted));
  }
  return 0;
}
