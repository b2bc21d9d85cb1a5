#include "repo_index/memory/ngram_segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>

#include "support/file_util.h"
#include "support/status.h"
#include "support/thread_pool.h"

namespace engram::repo_index {
namespace {

static_assert(std::endian::native == std::endian::little, "the segment format is little-endian");

constexpr char kMagic[8] = {'E', 'N', 'G', 'R', 'A', 'M', 'N', 'G'};

// The on-disk header; every offset is from the start of the file, every section 8-byte aligned.
struct TableEntry {
  uint32_t slots;  // P(n, head), a prime; 0 for tables beyond 3 × heads
  uint32_t reserved;
  uint64_t offsets_offset;   // uint32[slots + 1]
  uint64_t postings_offset;  // uint32[postings_count]
  uint64_t postings_count;
};
static_assert(sizeof(TableEntry) == 32);

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t heads;
  uint64_t file_size;
  uint64_t checksum;
  uint64_t generation;
  uint64_t token_count;
  uint64_t file_count;
  uint64_t line_count;
  uint64_t lexicon_count;
  uint64_t strings_offset;
  uint64_t strings_size;
  uint64_t tokenizer_id_size;   // the tokenizer id is the first bytes of the strings section
  uint64_t files_offset;        // FileEntry[file_count]
  uint64_t lines_offset;        // uint32[line_count]
  uint64_t tokens_offset;       // uint32[token_count]
  uint64_t lexicon_ids_offset;  // uint32[lexicon_count]
  uint64_t lexicon_text_offsets_offset;  // uint32[lexicon_count + 1]
  uint64_t lexicon_text_offset;
  uint64_t lexicon_text_size;
  TableEntry tables[kNgramMaxTables];
  uint8_t reserved[kNgramHeaderSize - 152 - sizeof(TableEntry) * kNgramMaxTables];
};
static_assert(sizeof(Header) == kNgramHeaderSize);
constexpr size_t kChecksumField = offsetof(Header, checksum);
static_assert(kChecksumField == kNgramChecksumOffset);

struct FileEntry {
  uint32_t path_offset;  // into the strings section
  uint32_t path_size;
  uint32_t blob_offset;
  uint32_t blob_size;
  uint32_t first_token;
  uint32_t token_count;
  uint32_t first_line;
  uint32_t line_count;
};
static_assert(sizeof(FileEntry) == 32);

constexpr uint64_t Align8(uint64_t x) { return (x + 7) & ~uint64_t{7}; }

std::string Num(uint64_t x) { return std::to_string(x); }

uint64_t ValidPositions(uint64_t token_count, int n) {
  return token_count >= static_cast<uint64_t>(n) ? token_count - n + 1 : 0;
}

// --- XXH64 (https://github.com/Cyan4973/xxHash, doc/xxhash_spec.md) ---
constexpr uint64_t kP1 = 11400714785074694791ull;
constexpr uint64_t kP2 = 14029467366897019727ull;
constexpr uint64_t kP3 = 1609587929392839161ull;
constexpr uint64_t kP4 = 9650029242287828579ull;
constexpr uint64_t kP5 = 2870177450012600261ull;

inline uint64_t Read64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t XxRound(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  acc = std::rotl(acc, 31);
  return acc * kP1;
}
inline uint64_t XxMerge(uint64_t acc, uint64_t val) {
  acc ^= XxRound(0, val);
  return acc * kP1 + kP4;
}

}  // namespace

uint64_t NgramXxh64(const void* data, size_t size, uint64_t seed) {
  const auto* p = static_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  uint64_t h;
  if (size >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    const uint8_t* limit = end - 32;
    do {
      v1 = XxRound(v1, Read64(p));
      v2 = XxRound(v2, Read64(p + 8));
      v3 = XxRound(v3, Read64(p + 16));
      v4 = XxRound(v4, Read64(p + 24));
      p += 32;
    } while (p <= limit);
    h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    h = XxMerge(h, v1);
    h = XxMerge(h, v2);
    h = XxMerge(h, v3);
    h = XxMerge(h, v4);
  } else {
    h = seed + kP5;
  }
  h += size;
  while (p + 8 <= end) {
    h ^= XxRound(0, Read64(p));
    h = std::rotl(h, 27) * kP1 + kP4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= uint64_t{Read32(p)} * kP1;
    h = std::rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  while (p < end) {
    h ^= (*p) * kP5;
    h = std::rotl(h, 11) * kP1;
    ++p;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

uint64_t NgramSegmentChecksum(const uint8_t* base, uint64_t size) {
  uint8_t header[kNgramHeaderSize];
  std::memcpy(header, base, kNgramHeaderSize);
  std::memset(header + kChecksumField, 0, 8);
  uint64_t seed = NgramXxh64(header, kNgramHeaderSize, 0);
  return NgramXxh64(base + kNgramHeaderSize, size - kNgramHeaderSize, seed);
}

// ------------------------------------------------------------------------------------------------
// Writer

absl::StatusOr<std::unique_ptr<NgramSegmentWriter>> NgramSegmentWriter::Create(
    const std::string& path, const NgramSegmentOptions& options,
    std::vector<NgramSegmentFileSpec> files,
    std::span<const std::pair<uint32_t, std::string_view>> lexicon) {
  auto invalid = [&](const std::string& what) {
    return absl::InvalidArgumentError("ngram: " + path + ": " + what);
  };
  if (options.heads < 1 || options.heads > kNgramMaxHeads) {
    return invalid("heads must be in [1, " + Num(kNgramMaxHeads) + "], not " + Num(options.heads));
  }
  // Sections and their sizes.
  uint64_t strings_size = options.tokenizer_id.size();
  uint64_t token_count = 0, line_count = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].path.empty()) return invalid("file without a path");
    if (i > 0 && !(files[i - 1].path < files[i].path)) {
      return invalid("files not sorted by path or duplicated at '" + files[i].path + "'");
    }
    if (files[i].line_count == 0) return invalid("file '" + files[i].path + "' has no line");
    strings_size += files[i].path.size() + files[i].blob_id.size();
    token_count += files[i].token_count;
    line_count += files[i].line_count;
  }
  constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();
  if (token_count >= kU32)
    return invalid("too many tokens in one segment (" + Num(token_count) + ")");
  if (line_count >= kU32) return invalid("too many lines in one segment (" + Num(line_count) + ")");
  uint64_t text_size = 0;
  for (size_t i = 0; i < lexicon.size(); ++i) {
    if (i > 0 && lexicon[i - 1].first >= lexicon[i].first)
      return invalid("lexicon not sorted by id");
    text_size += lexicon[i].second.size();
  }
  if (strings_size >= kU32 || text_size >= kU32) return invalid("strings or lexicon over 4 GiB");

  Header h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kNgramVersion;
  h.heads = static_cast<uint32_t>(options.heads);
  h.generation = options.generation;
  h.token_count = token_count;
  h.file_count = files.size();
  h.line_count = line_count;
  h.lexicon_count = lexicon.size();
  uint64_t off = kNgramHeaderSize;
  h.strings_offset = off;
  h.strings_size = strings_size;
  h.tokenizer_id_size = options.tokenizer_id.size();
  off = Align8(off + strings_size);
  h.files_offset = off;
  off = Align8(off + files.size() * sizeof(FileEntry));
  h.lines_offset = off;
  off = Align8(off + line_count * 4);
  h.tokens_offset = off;
  off = Align8(off + token_count * 4);
  h.lexicon_ids_offset = off;
  off = Align8(off + lexicon.size() * 4);
  h.lexicon_text_offsets_offset = off;
  off = Align8(off + (lexicon.size() + 1) * 4);
  h.lexicon_text_offset = off;
  h.lexicon_text_size = text_size;
  off = Align8(off + text_size);
  std::vector<uint32_t> primes =
      NgramTablePrimes(token_count, options.slots_per_token, options.heads);
  for (int n = kNgramMinN; n <= kNgramMaxN; ++n) {
    uint64_t count = 0;
    for (const NgramSegmentFileSpec& f : files) count += ValidPositions(f.token_count, n);
    for (int head = 0; head < options.heads; ++head) {
      int t = NgramTableIndex(n, head, options.heads);
      TableEntry& e = h.tables[t];
      e.slots = primes[t];
      e.offsets_offset = off;
      off = Align8(off + (uint64_t{e.slots} + 1) * 4);
      e.postings_offset = off;
      e.postings_count = count;
      off = Align8(off + count * 4);
    }
  }
  h.file_size = off;

  std::unique_ptr<NgramSegmentWriter> w(new NgramSegmentWriter());
  w->path_ = path;
  w->options_ = options;
  w->size_ = off;
  w->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->fd_ < 0) {
    return absl::UnavailableError("ngram: cannot create '" + path + "': " + ErrnoText(errno));
  }
  if (int err = ::posix_fallocate(w->fd_, 0, static_cast<off_t>(off)); err != 0) {
    return absl::ResourceExhaustedError("ngram: cannot allocate " + Num(off) + " bytes for '" +
                                        path + "': " + ErrnoText(err));
  }
  void* base = ::mmap(nullptr, off, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd_, 0);
  if (base == MAP_FAILED) {
    return absl::UnavailableError("ngram: cannot map '" + path + "': " + ErrnoText(errno));
  }
  w->base_ = static_cast<uint8_t*>(base);
  uint8_t* b = w->base_;
  std::memcpy(b, &h, sizeof h);

  // Strings, file table, lexicon.
  uint64_t s = h.strings_offset;
  std::memcpy(b + s, options.tokenizer_id.data(), options.tokenizer_id.size());
  uint64_t s_rel = options.tokenizer_id.size();
  auto* entries = reinterpret_cast<FileEntry*>(b + h.files_offset);
  uint64_t first_token = 0, first_line = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const NgramSegmentFileSpec& f = files[i];
    FileEntry e{};
    e.path_offset = static_cast<uint32_t>(s_rel);
    e.path_size = static_cast<uint32_t>(f.path.size());
    std::memcpy(b + s + s_rel, f.path.data(), f.path.size());
    s_rel += f.path.size();
    e.blob_offset = static_cast<uint32_t>(s_rel);
    e.blob_size = static_cast<uint32_t>(f.blob_id.size());
    std::memcpy(b + s + s_rel, f.blob_id.data(), f.blob_id.size());
    s_rel += f.blob_id.size();
    e.first_token = static_cast<uint32_t>(first_token);
    e.token_count = f.token_count;
    e.first_line = static_cast<uint32_t>(first_line);
    e.line_count = f.line_count;
    std::memcpy(&entries[i], &e, sizeof e);
    w->first_token_.push_back(first_token);
    w->first_line_.push_back(first_line);
    first_token += f.token_count;
    first_line += f.line_count;
  }
  auto* ids = reinterpret_cast<uint32_t*>(b + h.lexicon_ids_offset);
  auto* text_offsets = reinterpret_cast<uint32_t*>(b + h.lexicon_text_offsets_offset);
  uint64_t t_rel = 0;
  for (size_t i = 0; i < lexicon.size(); ++i) {
    ids[i] = lexicon[i].first;
    text_offsets[i] = static_cast<uint32_t>(t_rel);
    std::memcpy(b + h.lexicon_text_offset + t_rel, lexicon[i].second.data(),
                lexicon[i].second.size());
    t_rel += lexicon[i].second.size();
  }
  text_offsets[lexicon.size()] = static_cast<uint32_t>(t_rel);
  w->tokens_offset_ = h.tokens_offset;
  w->lines_offset_ = h.lines_offset;
  w->files_ = std::move(files);
  return w;
}

NgramSegmentWriter::~NgramSegmentWriter() {
  if (base_ != nullptr) ::munmap(base_, size_);
  if (fd_ >= 0) ::close(fd_);
  if (!finished_ && !path_.empty()) ::unlink(path_.c_str());
}

std::span<uint32_t> NgramSegmentWriter::tokens(size_t file) {
  auto* t = reinterpret_cast<uint32_t*>(base_ + tokens_offset_);
  return {t + first_token_[file], files_[file].token_count};
}

std::span<uint32_t> NgramSegmentWriter::lines(size_t file) {
  auto* l = reinterpret_cast<uint32_t*>(base_ + lines_offset_);
  return {l + first_line_[file], files_[file].line_count};
}

absl::Status NgramSegmentWriter::Finish() {
  Header h;
  std::memcpy(&h, base_, sizeof h);
  const uint32_t* stream = reinterpret_cast<const uint32_t*>(base_ + h.tokens_offset);
  const int heads = options_.heads;
  const std::vector<NgramSegmentFileSpec>& files = files_;
  const std::vector<uint64_t>& firsts = first_token_;
  uint8_t* b = base_;
  // One job per table: count pass (slot sizes into offsets[slot + 1]), prefix sums, fill pass. A
  // position is posted only when its whole n-gram lies inside its file; positions are visited in
  // ascending order, so every slot's postings come out ascending.
  auto build = [&](int t) {
    const int n = kNgramMinN + t / heads;
    const int head = t % heads;
    const TableEntry& e = h.tables[t];
    auto* offsets = reinterpret_cast<uint32_t*>(b + e.offsets_offset);
    auto* postings = reinterpret_cast<uint32_t*>(b + e.postings_offset);
    const uint32_t slots = e.slots;
    auto for_each_position = [&](auto&& fn) {
      for (size_t f = 0; f < files.size(); ++f) {
        if (files[f].token_count < static_cast<uint32_t>(n)) continue;
        const uint32_t begin = static_cast<uint32_t>(firsts[f]);
        const uint32_t end = begin + files[f].token_count - n + 1;
        for (uint32_t p = begin; p < end; ++p)
          fn(p, NgramSlot(NgramHash(stream + p, n, head), slots));
      }
    };
    std::memset(offsets, 0, (uint64_t{slots} + 1) * 4);
    for_each_position([&](uint32_t, uint32_t slot) { ++offsets[slot + 1]; });
    for (uint32_t i = 0; i < slots; ++i) offsets[i + 1] += offsets[i];
    std::vector<uint32_t> cursor(offsets, offsets + slots);
    for_each_position([&](uint32_t p, uint32_t slot) { postings[cursor[slot]++] = p; });
  };
  const int jobs = kNgramOrders * heads;
  ThreadPool pool(std::clamp(options_.threads, 1, jobs));
  pool.ParallelFor(jobs, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) build(static_cast<int>(t));
  });

  h.checksum = 0;
  std::memcpy(base_, &h, sizeof h);
  h.checksum = NgramSegmentChecksum(base_, size_);
  std::memcpy(base_ + kChecksumField, &h.checksum, 8);
  if (::msync(base_, size_, MS_SYNC) != 0 || ::fsync(fd_) != 0) {
    return absl::UnavailableError("ngram: cannot sync '" + path_ + "': " + ErrnoText(errno));
  }
  ::munmap(base_, size_);
  base_ = nullptr;
  if (::close(fd_) != 0) {
    fd_ = -1;
    return absl::UnavailableError("ngram: cannot close '" + path_ + "': " + ErrnoText(errno));
  }
  fd_ = -1;
  finished_ = true;
  return absl::OkStatus();
}

// ------------------------------------------------------------------------------------------------
// Reader

absl::StatusOr<std::shared_ptr<const NgramSegment>> NgramSegment::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = "ngram: cannot open segment '" + path + "': " + ErrnoText(err);
    return err == ENOENT ? absl::DataLossError(msg) : absl::UnavailableError(msg);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return absl::UnavailableError("ngram: cannot stat '" + path + "': " + ErrnoText(err));
  }
  std::shared_ptr<NgramSegment> seg(new NgramSegment());
  seg->path_ = path;
  seg->size_ = static_cast<uint64_t>(st.st_size);
  if (seg->size_ < kNgramHeaderSize) {
    ::close(fd);
    return absl::DataLossError("ngram: segment '" + path + "': " + Num(seg->size_) +
                               " bytes, shorter than its header");
  }
  void* base = ::mmap(nullptr, seg->size_, PROT_READ, MAP_SHARED, fd, 0);
  int map_err = errno;
  ::close(fd);
  if (base == MAP_FAILED) {
    return absl::UnavailableError("ngram: cannot map '" + path + "': " + ErrnoText(map_err));
  }
  seg->base_ = static_cast<const uint8_t*>(base);
  RETURN_IF_ERROR(seg->Validate());
  return std::shared_ptr<const NgramSegment>(std::move(seg));
}

NgramSegment::~NgramSegment() {
  if (base_ != nullptr) ::munmap(const_cast<uint8_t*>(base_), size_);
}

absl::Status NgramSegment::Validate() {
  auto bad = [&](const std::string& what) {
    return absl::DataLossError("ngram: segment '" + path_ + "': " + what);
  };
  Header h;
  std::memcpy(&h, base_, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return bad("bad magic (not a segment)");
  if (h.version != kNgramVersion) {
    return bad("format version " + Num(h.version) + ", expected " + Num(kNgramVersion));
  }
  if (h.file_size != size_) {
    return bad("header says " + Num(h.file_size) + " bytes, file has " + Num(size_) +
               " (truncated or extended)");
  }
  if (uint64_t sum = NgramSegmentChecksum(base_, size_); sum != h.checksum) {
    return bad("checksum mismatch (corrupted)");
  }
  if (h.heads < 1 || h.heads > kNgramMaxHeads) return bad("bad head count " + Num(h.heads));
  heads_ = static_cast<int>(h.heads);
  generation_ = h.generation;
  constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();
  if (h.token_count >= kU32 || h.line_count >= kU32 || h.file_count >= kU32 ||
      h.lexicon_count >= kU32) {
    return bad("counts out of range");
  }
  // A section [offset, offset + count × elem) inside the file, after the header, aligned.
  auto section = [&](const char* name, uint64_t offset, uint64_t count,
                     uint64_t elem) -> absl::Status {
    if (offset < kNgramHeaderSize || offset > size_ || offset % 4 != 0 ||
        count > (size_ - offset) / elem) {
      return bad(std::string(name) + " section (offset " + Num(offset) + ", " + Num(count) + " × " +
                 Num(elem) + " bytes) outside the file");
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(section("strings", h.strings_offset, h.strings_size, 1));
  RETURN_IF_ERROR(section("file table", h.files_offset, h.file_count, sizeof(FileEntry)));
  RETURN_IF_ERROR(section("line table", h.lines_offset, h.line_count, 4));
  RETURN_IF_ERROR(section("token stream", h.tokens_offset, h.token_count, 4));
  RETURN_IF_ERROR(section("lexicon ids", h.lexicon_ids_offset, h.lexicon_count, 4));
  RETURN_IF_ERROR(
      section("lexicon offsets", h.lexicon_text_offsets_offset, h.lexicon_count + 1, 4));
  RETURN_IF_ERROR(section("lexicon text", h.lexicon_text_offset, h.lexicon_text_size, 1));
  if (h.tokenizer_id_size > h.strings_size) return bad("tokenizer id outside the strings");
  const char* strings = reinterpret_cast<const char*>(base_ + h.strings_offset);
  tokenizer_id_ = std::string_view(strings, h.tokenizer_id_size);
  tokens_ = {reinterpret_cast<const uint32_t*>(base_ + h.tokens_offset), h.token_count};
  lines_ = {reinterpret_cast<const uint32_t*>(base_ + h.lines_offset), h.line_count};

  // File table: paths ascending, streams and line tables contiguous in file order.
  files_.resize(h.file_count);
  uint64_t next_token = 0, next_line = 0;
  for (uint64_t i = 0; i < h.file_count; ++i) {
    FileEntry e;
    std::memcpy(&e, base_ + h.files_offset + i * sizeof(FileEntry), sizeof e);
    if (uint64_t{e.path_offset} + e.path_size > h.strings_size ||
        uint64_t{e.blob_offset} + e.blob_size > h.strings_size || e.path_size == 0) {
      return bad("file " + Num(i) + ": path or blob id outside the strings");
    }
    File& f = files_[i];
    f.path = std::string_view(strings + e.path_offset, e.path_size);
    f.blob_id = std::string_view(strings + e.blob_offset, e.blob_size);
    if (i > 0 && !(files_[i - 1].path < f.path)) {
      return bad("file " + Num(i) + " '" + std::string(f.path) + "': paths not strictly ascending");
    }
    if (e.first_token != next_token || e.first_line != next_line || e.line_count == 0) {
      return bad("file " + Num(i) + " '" + std::string(f.path) +
                 "': token or line range not contiguous with the previous file");
    }
    f.first_token = e.first_token;
    f.token_count = e.token_count;
    f.first_line = e.first_line;
    f.line_count = e.line_count;
    next_token += e.token_count;
    next_line += e.line_count;
    if (next_token > h.token_count || next_line > h.line_count) {
      return bad("file " + Num(i) + " '" + std::string(f.path) + "': past the token stream");
    }
    std::span<const uint32_t> l = lines(f);
    if (l[0] != 0)
      return bad("file '" + std::string(f.path) + "': line 1 does not start at token 0");
    for (size_t k = 1; k < l.size(); ++k) {
      if (l[k] < l[k - 1] || l[k] > f.token_count) {
        return bad("file '" + std::string(f.path) + "': line table not ascending at line " +
                   Num(k + 1));
      }
    }
  }
  if (next_token != h.token_count || next_line != h.line_count) {
    return bad("file table covers " + Num(next_token) + " of " + Num(h.token_count) + " tokens");
  }

  // Lexicon.
  lexicon_ids_ = {reinterpret_cast<const uint32_t*>(base_ + h.lexicon_ids_offset), h.lexicon_count};
  lexicon_offsets_ = {reinterpret_cast<const uint32_t*>(base_ + h.lexicon_text_offsets_offset),
                      h.lexicon_count + 1};
  lexicon_text_ = std::string_view(reinterpret_cast<const char*>(base_ + h.lexicon_text_offset),
                                   h.lexicon_text_size);
  if (lexicon_offsets_[0] != 0 || lexicon_offsets_[h.lexicon_count] != h.lexicon_text_size) {
    return bad("lexicon text offsets do not span the lexicon text");
  }
  for (uint64_t i = 0; i < h.lexicon_count; ++i) {
    if (lexicon_offsets_[i + 1] < lexicon_offsets_[i] ||
        (i > 0 && lexicon_ids_[i] <= lexicon_ids_[i - 1])) {
      return bad("lexicon not sorted at entry " + Num(i));
    }
  }

  // Tables.
  std::vector<uint32_t> seen_primes;
  for (int n = kNgramMinN; n <= kNgramMaxN; ++n) {
    uint64_t expected = 0;
    for (const File& f : files_) expected += ValidPositions(f.token_count, n);
    for (int head = 0; head < heads_; ++head) {
      const int t = NgramTableIndex(n, head, heads_);
      const TableEntry& e = h.tables[t];
      const std::string name = "table n=" + Num(n) + " head=" + Num(head);
      if (e.slots < 1 ||
          std::find(seen_primes.begin(), seen_primes.end(), e.slots) != seen_primes.end()) {
        return bad(name + ": bad or repeated slot count " + Num(e.slots));
      }
      seen_primes.push_back(e.slots);
      if (e.postings_count != expected) {
        return bad(name + ": " + Num(e.postings_count) + " postings, expected " + Num(expected));
      }
      RETURN_IF_ERROR(
          section((name + " offsets").c_str(), e.offsets_offset, uint64_t{e.slots} + 1, 4));
      RETURN_IF_ERROR(
          section((name + " postings").c_str(), e.postings_offset, e.postings_count, 4));
      Table& table = tables_[t];
      table.slots = e.slots;
      table.offsets = {reinterpret_cast<const uint32_t*>(base_ + e.offsets_offset),
                       uint64_t{e.slots} + 1};
      table.postings = {reinterpret_cast<const uint32_t*>(base_ + e.postings_offset),
                        e.postings_count};
      if (table.offsets[0] != 0 || table.offsets[e.slots] != e.postings_count) {
        return bad(name + ": slot offsets do not span the postings");
      }
      for (uint32_t s = 0; s < e.slots; ++s) {
        const uint32_t lo = table.offsets[s], hi = table.offsets[s + 1];
        if (hi < lo || hi > e.postings_count) {
          return bad(name + ": slot offsets decrease at slot " + Num(s));
        }
        for (uint32_t k = lo; k < hi; ++k) {
          const uint32_t p = table.postings[k];
          if (p >= h.token_count || (k > lo && p <= table.postings[k - 1])) {
            return bad(name + ": slot " + Num(s) + ": posting " + Num(p) +
                       " out of range or out of order");
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

uint32_t NgramSegment::FileOf(uint32_t position) const {
  auto it = std::upper_bound(files_.begin(), files_.end(), position,
                             [](uint32_t p, const File& f) { return p < f.first_token; });
  return static_cast<uint32_t>(it - files_.begin()) - 1;
}

uint32_t NgramSegment::LineOf(const File& file, uint32_t offset) const {
  std::span<const uint32_t> l = lines(file);
  return static_cast<uint32_t>(std::upper_bound(l.begin(), l.end(), offset) - l.begin());
}

std::span<const uint32_t> NgramSegment::SlotAt(int n, int head, uint32_t slot) const {
  const Table& t = tables_[NgramTableIndex(n, head, heads_)];
  return t.postings.subspan(t.offsets[slot], t.offsets[slot + 1] - t.offsets[slot]);
}

std::span<const uint32_t> NgramSegment::Slot(int n, int head, uint64_t hash) const {
  return SlotAt(n, head, NgramSlot(hash, tables_[NgramTableIndex(n, head, heads_)].slots));
}

std::string_view NgramSegment::lexicon_text(size_t i) const {
  return lexicon_text_.substr(lexicon_offsets_[i], lexicon_offsets_[i + 1] - lexicon_offsets_[i]);
}

std::optional<std::string_view> NgramSegment::TokenText(uint32_t id) const {
  auto it = std::lower_bound(lexicon_ids_.begin(), lexicon_ids_.end(), id);
  if (it == lexicon_ids_.end() || *it != id) return std::nullopt;
  return lexicon_text(static_cast<size_t>(it - lexicon_ids_.begin()));
}

}  // namespace engram::repo_index
