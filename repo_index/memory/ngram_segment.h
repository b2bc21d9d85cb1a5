// One immutable, memory-mapped segment file of the n-gram memory (`seg-<generation>.ngm`): a set of
// files' token streams, line tables and lexicon, and 3 × heads hashed n-gram tables in CSR form.
// The byte layout is specified in docs/formats/ngram.md.
//
//   NgramSegmentOptions o{.generation = 7, .tokenizer_id = "lexical-1", .heads = 2};
//   ASSIGN_OR_RETURN(auto w, NgramSegmentWriter::Create(dir + "/seg-7.ngm", o, files, lexicon));
//   std::copy(my_tokens.begin(), my_tokens.end(), w->tokens(0).begin());   // fill every file's
//   std::copy(my_lines.begin(), my_lines.end(), w->lines(0).begin());      // tokens and lines
//   RETURN_IF_ERROR(w->Finish());                                          // tables, checksum,
//   fsync
//
//   ASSIGN_OR_RETURN(std::shared_ptr<const NgramSegment> seg, NgramSegment::Open(path));
//   std::span<const uint32_t> postings = seg->Slot(3, /*head=*/0, NgramHash(gram, 3, 0));
//
// Contract: Open validates the whole file once (checksum, every section inside the file, file table
// consistent with the token and line counts, line tables non-decreasing, lexicon sorted, every
// table's slot offsets non-decreasing and ending at its postings count, postings < token count and
// strictly ascending within a slot) and returns DataLoss naming the file and the defect; after
// that, accessors never read outside the mapping. Open costs one pass over the file (about 1 s per
// GB from the page cache). A writer whose Finish was not reached removes its file.
//
// Thread-safety: an NgramSegment is immutable; any number of threads may read it. A writer is used
// by one thread (Finish builds the tables on `options.threads` threads of its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/memory/ngram_hash.h"

namespace engram::repo_index {

inline constexpr uint32_t kNgramVersion = 1;
inline constexpr size_t kNgramHeaderSize = 1024;

// XXH64 (xxHash, 64-bit) of `size` bytes with `seed`.
uint64_t NgramXxh64(const void* data, size_t size, uint64_t seed);

// The checksum of a whole segment file (`size` >= kNgramHeaderSize bytes): XXH64 of the bytes after
// the header, seeded with XXH64 (seed 0) of the header whose checksum field (8 bytes at
// kNgramChecksumOffset) reads as zero.
inline constexpr size_t kNgramChecksumOffset = 24;
uint64_t NgramSegmentChecksum(const uint8_t* file, uint64_t size);

struct NgramSegmentFileSpec {
  std::string path;
  std::string blob_id;
  uint32_t token_count = 0;
  uint32_t line_count = 1;  // >= 1: line 1 starts at byte 0
};

struct NgramSegmentOptions {
  uint64_t generation = 0;
  std::string tokenizer_id;
  int heads = 2;
  double slots_per_token = 0.25;
  int threads = 1;  // table builders
};

class NgramSegmentWriter {
 public:
  // `files` sorted by path, paths unique and non-empty; `lexicon` (token id, text) sorted by id,
  // ids unique; the total token count must stay below 2^32 - 1. Sizes the file (posix_fallocate, so
  // a full disk is an error here and never a SIGBUS later) and maps it.
  static absl::StatusOr<std::unique_ptr<NgramSegmentWriter>> Create(
      const std::string& path, const NgramSegmentOptions& options,
      std::vector<NgramSegmentFileSpec> files,
      std::span<const std::pair<uint32_t, std::string_view>> lexicon);
  ~NgramSegmentWriter();
  NgramSegmentWriter(const NgramSegmentWriter&) = delete;
  NgramSegmentWriter& operator=(const NgramSegmentWriter&) = delete;

  // The caller fills these before Finish: file i's token ids, and its line table (for each line,
  // the index within the file of the first token that starts at or after the line's first byte).
  std::span<uint32_t> tokens(size_t file);  // [token_count]
  std::span<uint32_t> lines(size_t file);   // [line_count]

  // Builds the n-gram tables from the token streams (counting sort straight into the mapping),
  // writes the checksum and syncs the file to disk.
  absl::Status Finish();

  const std::string& path() const { return path_; }
  uint64_t bytes() const { return size_; }

 private:
  NgramSegmentWriter() = default;
  std::string path_;
  NgramSegmentOptions options_;
  int fd_ = -1;
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  bool finished_ = false;
  std::vector<NgramSegmentFileSpec> files_;
  std::vector<uint64_t> first_token_;
  std::vector<uint64_t> first_line_;
  uint64_t tokens_offset_ = 0;
  uint64_t lines_offset_ = 0;
};

class NgramSegment {
 public:
  struct File {
    std::string_view path;
    std::string_view blob_id;
    uint32_t first_token = 0;  // segment-global index of the file's first token
    uint32_t token_count = 0;
    uint32_t first_line = 0;  // index of the file's first line-table entry
    uint32_t line_count = 0;
    uint32_t end_token() const { return first_token + token_count; }
  };

  static absl::StatusOr<std::shared_ptr<const NgramSegment>> Open(const std::string& path);
  ~NgramSegment();
  NgramSegment(const NgramSegment&) = delete;
  NgramSegment& operator=(const NgramSegment&) = delete;

  const std::string& path() const { return path_; }
  uint64_t generation() const { return generation_; }
  int heads() const { return heads_; }
  std::string_view tokenizer_id() const { return tokenizer_id_; }
  uint64_t bytes() const { return size_; }
  uint32_t token_count() const { return static_cast<uint32_t>(tokens_.size()); }

  const std::vector<File>& files() const {
    return files_;
  }  // sorted by path; streams in that order
  std::span<const uint32_t> tokens() const { return tokens_; }
  std::span<const uint32_t> tokens(const File& file) const {
    return tokens_.subspan(file.first_token, file.token_count);
  }
  std::span<const uint32_t> lines(const File& file) const {
    return lines_.subspan(file.first_line, file.line_count);
  }
  // Index of the file holding segment-global token `position` (< token_count()).
  uint32_t FileOf(uint32_t position) const;
  // 1-based line of the file-relative token `offset`.
  uint32_t LineOf(const File& file, uint32_t offset) const;

  uint32_t slots(int n, int head) const { return tables_[NgramTableIndex(n, head, heads_)].slots; }
  // The postings (segment-global positions, ascending) of the slot `hash` falls in, for table
  // (n, head); head < heads().
  std::span<const uint32_t> Slot(int n, int head, uint64_t hash) const;
  // Postings of slot `slot` (< slots(n, head)) of table (n, head).
  std::span<const uint32_t> SlotAt(int n, int head, uint32_t slot) const;

  // Lexicon: distinct token ids of this segment, ascending, with their text.
  size_t lexicon_size() const { return lexicon_ids_.size(); }
  uint32_t lexicon_id(size_t i) const { return lexicon_ids_[i]; }
  std::string_view lexicon_text(size_t i) const;
  std::optional<std::string_view> TokenText(uint32_t id) const;

 private:
  NgramSegment() = default;
  struct Table {
    uint32_t slots = 0;
    std::span<const uint32_t> offsets;   // [slots + 1]
    std::span<const uint32_t> postings;  // [offsets[slots]]
  };
  absl::Status Validate();

  std::string path_;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  uint64_t generation_ = 0;
  int heads_ = 0;
  std::string_view tokenizer_id_;
  std::vector<File> files_;
  std::span<const uint32_t> tokens_;
  std::span<const uint32_t> lines_;
  std::span<const uint32_t> lexicon_ids_;
  std::span<const uint32_t> lexicon_offsets_;  // [lexicon_size + 1] into lexicon_text_
  std::string_view lexicon_text_;
  Table tables_[kNgramMaxTables];
};

}  // namespace engram::repo_index
