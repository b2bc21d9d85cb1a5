// SyncNgramMemory (declared in ngram_memory.h): the index's file list drives the n-gram memory.
#include <chrono>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "repo_index/memory/ngram_memory.h"
#include "repo_index/scan/scanner.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

constexpr uint64_t kBatchBytes = 256ull << 20;   // content per Update (one segment)
constexpr uint64_t kMaxFileBytes = 64ull << 20;  // larger files are skipped

}  // namespace

absl::StatusOr<NgramSyncSummary> SyncNgramMemory(IndexStore& store, const std::string& root,
                                                 NgramMemory& memory,
                                                 const CancellationToken& cancel) {
  const auto start = std::chrono::steady_clock::now();
  NgramSyncSummary summary;
  ASSIGN_OR_RETURN(std::vector<FileRecord> indexed, store.ListFiles());
  absl::flat_hash_map<std::string, std::string> stored;
  for (auto& [path, blob] : memory.Files()) stored.emplace(std::move(path), std::move(blob));

  std::vector<std::string> removals;
  {
    absl::flat_hash_set<std::string_view> in_index;
    for (const FileRecord& r : indexed) in_index.insert(r.path);
    for (const auto& [path, blob] : stored) {
      if (!in_index.contains(path)) removals.push_back(path);
    }
  }
  std::vector<const FileRecord*> changed;
  for (const FileRecord& r : indexed) {
    auto it = stored.find(r.path);
    if (it != stored.end() && it->second == r.blob_id) {
      ++summary.files_unchanged;
    } else {
      changed.push_back(&r);
    }
  }

  std::vector<FileContent> contents;
  std::vector<std::string> paths;
  uint64_t batch_bytes = 0;
  auto flush = [&]() -> absl::Status {
    if (contents.empty() && removals.empty()) return absl::OkStatus();
    std::vector<NgramFileInput> upserts;
    upserts.reserve(contents.size());
    for (size_t i = 0; i < contents.size(); ++i) {
      upserts.push_back({paths[i], contents[i].blob_id, contents[i].bytes});
    }
    NgramUpdateResult result;
    RETURN_IF_ERROR(memory.Update(upserts, removals, &result));
    summary.files_added += upserts.size();
    summary.files_removed += removals.size();
    summary.tokens_added += result.tokens_added;
    removals.clear();
    contents.clear();
    paths.clear();
    batch_bytes = 0;
    return absl::OkStatus();
  };
  for (const FileRecord* r : changed) {
    if (cancel.cancelled()) return absl::CancelledError("ngram: sync of '" + root + "' cancelled");
    auto content = ReadAndHash(root + "/" + r->path, kMaxFileBytes);
    if (!content.ok()) {
      ++summary.files_skipped;
      if (stored.contains(r->path)) removals.push_back(r->path);  // what is stored is stale
      continue;
    }
    batch_bytes += content->bytes.size();
    contents.push_back(*std::move(content));
    paths.push_back(r->path);
    if (batch_bytes >= kBatchBytes) RETURN_IF_ERROR(flush());
  }
  if (cancel.cancelled()) return absl::CancelledError("ngram: sync of '" + root + "' cancelled");
  RETURN_IF_ERROR(flush());
  summary.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace engram::repo_index
