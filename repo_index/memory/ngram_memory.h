// The Engram n-gram memory of a repository: where does a token sequence occur, and which tokens
// followed it (continuations, for speculative drafts). Deterministic hashed n-gram lookup, as in
// DeepSeek's Engram: O(1) in repository size per lookup.
//
//   auto lex = std::make_shared<LexicalTokenizer>();
//   ASSIGN_OR_RETURN(auto memory, NgramMemory::Open(data_dir + "/ngram", lex));
//   RETURN_IF_ERROR(memory->Update({{"src/a.c", blob_id, content}}, /*removals=*/{}));
//   std::vector<MemoryToken> t;
//   lex->Tokenize("struct device dev", &t);                    // ids of the query
//   ASSIGN_OR_RETURN(NgramFindResult found, memory->Find(ids, /*limit=*/20));
//   ASSIGN_OR_RETURN(NgramContinuations next, memory->Continuations(ids, /*limit=*/5));
//
// What is stored: the token n-grams (n = 2, 3, 4) of every file, never crossing a file's end,
// hashed by `heads` independent heads (ngram_hash.h) into fixed-size tables whose slots hold
// postings (the token position; the file, offset, line and following token come from the segment's
// token stream and file table). The memory is a directory of immutable memory-mapped segments
// (ngram_segment.h) plus a MANIFEST naming the live segments and, per segment, its dead files
// (replaced or removed since); docs/formats/ngram.md specifies both.
//
// Lookups: the first (Find) or last (Continuations) min(len, 4) tokens form the n-gram; each head
// yields its slot's postings and a position is a candidate only when every head's slot holds it (a
// galloping intersection of sorted lists); a candidate is then confirmed against the token stream
// (and for Find the tokens past the fourth too), so answers are exact: the heads' agreement only
// spares stream reads when slots collide. Hits in dead files are dropped.
//
// Update writes one new segment for the upserted files (none when there are none), marks the old
// entries of those paths and the removed paths dead, and commits by rewriting the MANIFEST (temp
// file, fsync, rename). A segment whose files are all dead is dropped at once. Compaction then
// rewrites, from the existing token streams (no file is read): every segment with more than
// max_dead_fraction of its tokens dead, and, when more than max_segments segments are live, the
// smallest segments (enough to get back to max_segments, then every next-smallest one no larger
// than the merged set: size-tiered, so big segments are rarely rewritten). A crash at any point
// leaves the previous manifest's state; segment files the manifest does not name are deleted at the
// next Open.
//
// Open validates the manifest and every segment (ngram_segment.h); corruption is DataLoss naming
// the file (the caller may Destroy and rebuild). When the manifest was written under another
// tokenizer id, the memory is emptied (its segments deleted) and Open succeeds with zero files: the
// caller resyncs. The directory is locked (flock on `LOCK`) while open: a second Open of it fails
// with FailedPrecondition.
//
// Thread-safety: Update runs on one thread at a time (calls are serialized); Find, Continuations,
// Stats and Files may run on any threads concurrently with each other and with Update: they read an
// immutable snapshot of the mapped segments, swapped under a mutex when Update commits.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/memory/memory_tokenizer.h"
#include "repo_index/store/index_store.h"
#include "support/cancellation.h"

namespace engram::repo_index {

struct NgramOptions {
  int heads = 2;                   // independent hash heads per n, 1..4
  double slots_per_token = 0.25;   // table size per (n, head): a prime >= max(1021, tokens × this)
  uint32_t max_segments = 8;       // compact above this many live segments
  double max_dead_fraction = 0.3;  // or a segment above this share of dead tokens
  uint64_t max_scan = 100000;      // Continuations examines at most this many occurrences
  int build_threads = 2;           // threads building one segment's tables
};

struct NgramFileInput {
  std::string path;  // repository-relative, non-empty
  std::string blob_id;
  std::string_view content;
};

struct NgramHit {
  std::string path;
  uint32_t token_offset = 0;  // index of the first matching token within the file
  uint32_t line = 0;          // 1-based line where that token starts
  bool operator==(const NgramHit&) const = default;
};

struct NgramFindResult {
  uint64_t total = 0;          // occurrences in live files
  std::vector<NgramHit> hits;  // the first `limit` by (path, token_offset)
};

struct NgramContinuation {
  uint32_t id = 0;
  std::string text;  // from the lexicon; empty when unknown
  uint64_t count = 0;
  bool operator==(const NgramContinuation&) const = default;
};

struct NgramContinuations {
  std::vector<NgramContinuation> tokens;  // by count descending, then id ascending; at most `limit`
  uint64_t occurrences =
      0;                 // occurrences of the context that are followed by a token in their file
                         // (the sum of all counts, also those past `limit`), among those examined
  bool sampled = false;  // max_scan candidates were examined and more were left
};

struct NgramStats {
  uint64_t files = 0;        // live files
  uint64_t tokens = 0;       // tokens of live files
  uint64_t dead_tokens = 0;  // tokens of dead files still in segments
  uint64_t segments = 0;
  uint64_t bytes = 0;          // segment files + manifest
  double bytes_per_token = 0;  // bytes / tokens (0 when empty)
  int heads = 0;
};

struct NgramUpdateResult {
  uint64_t tokens_added = 0;        // tokens of the upserted files
  uint64_t segments_written = 0;    // including compactions
  uint64_t segments_compacted = 0;  // segments merged away by compaction
};

class NgramMemory {
 public:
  static absl::StatusOr<std::unique_ptr<NgramMemory>> Open(
      const std::string& dir, std::shared_ptr<const MemoryTokenizer> tokenizer,
      const NgramOptions& options = {});
  // Deletes the memory's files and the directory (if then empty); OK when it does not exist. Not
  // while an NgramMemory has it open.
  static absl::Status Destroy(const std::string& dir);
  ~NgramMemory();
  NgramMemory(const NgramMemory&) = delete;
  NgramMemory& operator=(const NgramMemory&) = delete;

  const MemoryTokenizer& tokenizer() const { return *tokenizer_; }
  const std::string& dir() const { return dir_; }

  // Upserts are tokenized with tokenizer(); a path may appear once in upserts and not also in
  // removals (InvalidArgument). Removing an unknown path is a no-op. `result` may be null. An error
  // leaves the previous state (or the committed upserts, if only the compaction after them failed).
  absl::Status Update(const std::vector<NgramFileInput>& upserts,
                      const std::vector<std::string>& removals,
                      NgramUpdateResult* result = nullptr);

  std::vector<std::pair<std::string, std::string>> Files() const;  // (path, blob id), by path

  // tokens.size() >= 2, else InvalidArgument. Counting stops at `count_cap` occurrences (total is
  // then count_cap, meaning "at least"): callers that only want rare sequences bound their cost.
  absl::StatusOr<NgramFindResult> Find(std::span<const uint32_t> tokens, size_t limit,
                                       uint64_t count_cap = UINT64_MAX) const;
  // context.size() >= 2, else InvalidArgument; its last min(size, 4) tokens are looked up.
  absl::StatusOr<NgramContinuations> Continuations(std::span<const uint32_t> context,
                                                   size_t limit) const;
  NgramStats Stats() const;

 private:
  struct Snapshot;
  struct LiveSegment;
  NgramMemory(std::string dir, std::shared_ptr<const MemoryTokenizer> tokenizer,
              const NgramOptions& options);
  std::shared_ptr<const Snapshot> snapshot() const;
  absl::Status Commit(std::shared_ptr<Snapshot> next);
  absl::Status WriteManifest(const Snapshot& snap) const;
  absl::Status Compact(NgramUpdateResult* result);
  std::string SegmentPath(uint64_t generation) const;

  std::string dir_;
  std::shared_ptr<const MemoryTokenizer> tokenizer_;
  NgramOptions options_;
  int lock_fd_ = -1;

  std::mutex update_mu_;          // serializes Update
  uint64_t next_generation_ = 1;  // guarded by update_mu_

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by snapshot_mu_
};

struct NgramSyncSummary {
  uint64_t files_added = 0;  // new or changed files tokenized and stored
  uint64_t files_removed = 0;
  uint64_t files_unchanged = 0;
  uint64_t files_skipped = 0;  // unreadable (or too large) now
  uint64_t tokens_added = 0;
  double elapsed_ms = 0;
};

// Brings `memory` in step with the index (implemented in ngram_sync.cc): files whose blob id
// differs from the index's (or that the memory lacks) are read from `root` (paths are
// repository-relative) and upserted, files no longer in the index are removed. The blob id stored
// is that of the bytes actually read (so a file edited after indexing is read again at the next
// sync, once the index has caught up). Files are read and upserted in batches of about 256 MiB of
// content, one segment each; unreadable files (gone, over 64 MiB, permission) are skipped and
// counted, never fatal. `cancel` is polled between files: a cancelled sync keeps the batches
// already committed and returns Cancelled. Errors of the store or the memory are returned as they
// are.
absl::StatusOr<NgramSyncSummary> SyncNgramMemory(IndexStore& store, const std::string& root,
                                                 NgramMemory& memory,
                                                 const CancellationToken& cancel);

}  // namespace engram::repo_index
