#include "repo_index/memory/ngram_memory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "repo_index/memory/ngram_hash.h"
#include "repo_index/memory/ngram_segment.h"
#include "support/file_util.h"
#include "support/status.h"

namespace engram::repo_index {

struct NgramMemory::LiveSegment {
  std::shared_ptr<const NgramSegment> segment;
  std::vector<bool> dead;  // [file_count]
  uint32_t dead_files = 0;
  uint64_t dead_tokens = 0;

  uint64_t live_files() const { return segment->files().size() - dead_files; }
  uint64_t live_tokens() const { return segment->token_count() - dead_tokens; }
  void Kill(uint32_t file) {
    dead[file] = true;
    ++dead_files;
    dead_tokens += segment->files()[file].token_count;
  }
};

struct NgramMemory::Snapshot {
  std::vector<std::shared_ptr<const LiveSegment>> segments;  // by generation, ascending
  uint64_t next_generation = 1;
  uint64_t manifest_bytes = 0;
};

namespace {

constexpr char kManifestMagic[8] = {'E', 'N', 'G', 'R', 'A', 'M', 'N', 'M'};
constexpr uint32_t kManifestVersion = 1;
constexpr char kManifestName[] = "MANIFEST";
constexpr char kLockName[] = "LOCK";

std::string Num(uint64_t x) { return std::to_string(x); }

// ---- manifest encoding (docs/formats/ngram.md) ----

struct ManifestSegment {
  uint64_t generation = 0;
  std::vector<uint32_t> dead;  // ascending file indices
};

struct Manifest {
  std::string tokenizer_id;
  uint64_t next_generation = 1;
  std::vector<ManifestSegment> segments;
};

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string EncodeManifest(const Manifest& m) {
  std::string out(kManifestMagic, sizeof kManifestMagic);
  Put<uint32_t>(&out, kManifestVersion);
  Put<uint32_t>(&out, static_cast<uint32_t>(m.tokenizer_id.size()));
  out += m.tokenizer_id;
  Put<uint64_t>(&out, m.next_generation);
  Put<uint32_t>(&out, static_cast<uint32_t>(m.segments.size()));
  for (const ManifestSegment& s : m.segments) {
    Put<uint64_t>(&out, s.generation);
    Put<uint32_t>(&out, static_cast<uint32_t>(s.dead.size()));
    for (uint32_t d : s.dead) Put<uint32_t>(&out, d);
  }
  Put<uint64_t>(&out, NgramXxh64(out.data(), out.size(), 0));
  return out;
}

absl::StatusOr<Manifest> DecodeManifest(const std::string& path, std::string_view bytes) {
  auto bad = [&](const std::string& what) {
    return absl::DataLossError("ngram: manifest '" + path + "': " + what);
  };
  if (bytes.size() < sizeof kManifestMagic + 8 + 8 + 4 + 8) return bad("truncated");
  if (std::memcmp(bytes.data(), kManifestMagic, sizeof kManifestMagic) != 0)
    return bad("bad magic");
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (NgramXxh64(bytes.data(), bytes.size() - 8, 0) != stored) return bad("checksum mismatch");
  std::string_view body =
      bytes.substr(sizeof kManifestMagic, bytes.size() - 8 - sizeof kManifestMagic);
  size_t pos = 0;
  auto take = [&](void* dst, size_t n) {
    if (body.size() - pos < n) return false;
    std::memcpy(dst, body.data() + pos, n);
    pos += n;
    return true;
  };
  Manifest m;
  uint32_t version = 0, id_size = 0, segments = 0;
  if (!take(&version, 4)) return bad("truncated");
  if (version != kManifestVersion) {
    return bad("version " + Num(version) + ", expected " + Num(kManifestVersion));
  }
  if (!take(&id_size, 4) || body.size() - pos < id_size) return bad("truncated tokenizer id");
  m.tokenizer_id = std::string(body.substr(pos, id_size));
  pos += id_size;
  if (!take(&m.next_generation, 8) || !take(&segments, 4)) return bad("truncated");
  if (segments > (body.size() - pos) / 12) return bad("segment count past the end");
  std::set<uint64_t> seen;
  for (uint32_t i = 0; i < segments; ++i) {
    ManifestSegment s;
    uint32_t dead = 0;
    if (!take(&s.generation, 8) || !take(&dead, 4)) return bad("truncated segment list");
    if (dead > (body.size() - pos) / 4)
      return bad("dead list of segment " + Num(s.generation) + " past the end");
    s.dead.resize(dead);
    if (dead > 0) take(s.dead.data(), dead * 4u);
    for (size_t k = 1; k < s.dead.size(); ++k) {
      if (s.dead[k] <= s.dead[k - 1])
        return bad("dead list of segment " + Num(s.generation) + " not ascending");
    }
    if (s.generation >= m.next_generation || !seen.insert(s.generation).second) {
      return bad("segment generation " + Num(s.generation) + " repeated or not below the next (" +
                 Num(m.next_generation) + ")");
    }
    m.segments.push_back(std::move(s));
  }
  if (pos != body.size()) return bad(Num(body.size() - pos) + " trailing bytes");
  return m;
}

// Parses "seg-<generation>.ngm".
bool ParseSegmentName(std::string_view name, uint64_t* generation) {
  constexpr std::string_view kPrefix = "seg-", kSuffix = ".ngm";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return false;
  }
  std::string_view digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  uint64_t g = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || g > (std::numeric_limits<uint64_t>::max() - 9) / 10) return false;
    g = g * 10 + static_cast<uint64_t>(c - '0');
  }
  *generation = g;
  return true;
}

// ---- tokenizing upserts ----

struct TokenizedFile {
  const NgramFileInput* input = nullptr;
  std::vector<uint32_t> tokens;
  std::vector<uint32_t> lines;  // per line, index of the first token starting at or after it
};

void TokenizeFile(const MemoryTokenizer& tokenizer, const NgramFileInput& input,
                  std::vector<MemoryToken>* scratch, TokenizedFile* out,
                  absl::flat_hash_map<uint32_t, std::string_view>* lexicon) {
  const std::string_view content = input.content;
  tokenizer.Tokenize(content, scratch);
  const std::vector<MemoryToken>& toks = *scratch;
  out->input = &input;
  out->tokens.resize(toks.size());
  for (size_t i = 0; i < toks.size(); ++i) {
    const MemoryToken& t = toks[i];
    out->tokens[i] = t.id;
    if (t.begin <= t.end && t.end <= content.size()) {  // else the id stays without text
      lexicon->try_emplace(t.id, content.substr(t.begin, t.end - t.begin));
    }
  }
  out->lines.clear();
  size_t k = 0;
  auto add_line = [&](size_t start) {
    while (k < toks.size() && toks[k].begin < start) ++k;
    out->lines.push_back(static_cast<uint32_t>(k));
  };
  add_line(0);
  const char* data = content.data();
  size_t pos = 0;
  while (pos < content.size()) {
    const void* nl = std::memchr(data + pos, '\n', content.size() - pos);
    if (nl == nullptr) break;
    size_t start = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
    if (start < content.size()) add_line(start);
    pos = start;
  }
}

// Index of `path` in a segment's (sorted) file table, or -1.
int64_t FindFile(const NgramSegment& seg, std::string_view path) {
  const auto& files = seg.files();
  auto it =
      std::lower_bound(files.begin(), files.end(), path,
                       [](const NgramSegment::File& f, std::string_view p) { return f.path < p; });
  if (it == files.end() || it->path != path) return -1;
  return it - files.begin();
}

// First index >= from in the ascending list `l` whose value is >= x (galloping search).
size_t Gallop(std::span<const uint32_t> l, size_t from, uint32_t x) {
  size_t lo = from, hi = from, step = 1;
  while (hi < l.size() && l[hi] < x) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, l.size());
  return static_cast<size_t>(std::lower_bound(l.begin() + lo, l.begin() + hi, x) - l.begin());
}

// Calls fn(position) for each position present in all `k` ascending lists, in ascending order,
// driven by the shortest list. fn returns false to stop; returns false when stopped.
template <typename Fn>
bool ForEachAgreed(std::span<const uint32_t>* lists, int k, Fn&& fn) {
  // Shortest first (an insertion sort: k <= 4, and g++ 12 -O3 misreads std::sort on a 4-array).
  for (int i = 1; i < k; ++i) {
    for (int j = i; j > 0 && lists[j].size() < lists[j - 1].size(); --j)
      std::swap(lists[j], lists[j - 1]);
  }
  size_t cursor[kNgramMaxHeads] = {};
  for (uint32_t x : lists[0]) {
    bool all = true;
    for (int j = 1; j < k; ++j) {
      cursor[j] = Gallop(lists[j], cursor[j], x);
      if (cursor[j] == lists[j].size()) return true;
      if (lists[j][cursor[j]] != x) {
        all = false;
        break;
      }
    }
    if (all && !fn(x)) return false;
  }
  return true;
}

// Walks the agreed, confirmed occurrences of `gram` (n tokens) in one live segment, in ascending
// position: fn(file index, position) for each position whose n-gram equals `gram`, whose file is
// live. `on_candidate()` is called for every agreed candidate first and may stop the walk (false).
template <typename OnCandidate, typename Fn>
bool ForEachOccurrence(const NgramSegment& seg, const std::vector<bool>& dead,
                       std::span<const uint32_t> gram, OnCandidate&& on_candidate, Fn&& fn) {
  const int n = static_cast<int>(gram.size());
  std::span<const uint32_t> lists[kNgramMaxHeads];
  for (int h = 0; h < seg.heads(); ++h) lists[h] = seg.Slot(n, h, NgramHash(gram.data(), n, h));
  std::span<const uint32_t> stream = seg.tokens();
  const auto& files = seg.files();
  uint32_t file = 0, begin = 1, end = 0;  // current file and its token range (empty at first)
  return ForEachAgreed(lists, seg.heads(), [&](uint32_t p) {
    if (!on_candidate()) return false;
    if (p < begin || p >= end) {
      file = seg.FileOf(p);
      begin = files[file].first_token;
      end = files[file].end_token();
    }
    if (dead[file] || uint64_t{p} + n > end) return true;
    if (!std::equal(gram.begin(), gram.end(), stream.begin() + p)) return true;
    fn(file, p);
    return true;
  });
}

}  // namespace

// ------------------------------------------------------------------------------------------------

NgramMemory::NgramMemory(std::string dir, std::shared_ptr<const MemoryTokenizer> tokenizer,
                         const NgramOptions& options)
    : dir_(std::move(dir)), tokenizer_(std::move(tokenizer)), options_(options) {}

NgramMemory::~NgramMemory() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string NgramMemory::SegmentPath(uint64_t generation) const {
  return dir_ + "/seg-" + Num(generation) + ".ngm";
}

absl::StatusOr<std::unique_ptr<NgramMemory>> NgramMemory::Open(
    const std::string& dir, std::shared_ptr<const MemoryTokenizer> tokenizer,
    const NgramOptions& options) {
  if (tokenizer == nullptr) return absl::InvalidArgumentError("ngram: no tokenizer");
  if (options.heads < 1 || options.heads > kNgramMaxHeads) {
    return absl::InvalidArgumentError("ngram: heads must be in [1, 4], not " +
                                      std::to_string(options.heads));
  }
  if (!(options.slots_per_token > 0 && options.slots_per_token <= 64)) {
    return absl::InvalidArgumentError("ngram: slots_per_token must be in (0, 64]");
  }
  RETURN_IF_ERROR(MakeDirs(dir, 0755, /*private_dir=*/false));
  std::unique_ptr<NgramMemory> memory(new NgramMemory(dir, std::move(tokenizer), options));
  const std::string lock_path = dir + "/" + kLockName;
  memory->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (memory->lock_fd_ < 0) {
    return absl::UnavailableError("ngram: cannot open '" + lock_path + "': " + ErrnoText(errno));
  }
  if (::flock(memory->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError("ngram: memory '" + dir + "' is open elsewhere (" +
                                         ErrnoText(errno) + ")");
  }

  const std::string manifest_path = dir + "/" + kManifestName;
  const std::string tokenizer_id = memory->tokenizer_->Id();
  auto snap = std::make_shared<Snapshot>();
  auto bytes = ReadFile(manifest_path);
  bool write_manifest = false;
  if (!bytes.ok() && !absl::IsNotFound(bytes.status())) return bytes.status();
  if (bytes.ok()) {
    ASSIGN_OR_RETURN(Manifest m, DecodeManifest(manifest_path, *bytes));
    snap->next_generation = m.next_generation;
    if (m.tokenizer_id != tokenizer_id) {
      write_manifest = true;  // built under another tokenizer: start empty (orphans go below)
    } else {
      absl::flat_hash_set<std::string_view> paths;
      for (const ManifestSegment& ms : m.segments) {
        const std::string path = memory->SegmentPath(ms.generation);
        ASSIGN_OR_RETURN(std::shared_ptr<const NgramSegment> seg, NgramSegment::Open(path));
        auto bad = [&](const std::string& what) {
          return absl::DataLossError("ngram: segment '" + path + "': " + what);
        };
        if (seg->generation() != ms.generation) return bad("generation does not match its name");
        if (seg->tokenizer_id() != tokenizer_id)
          return bad("tokenizer id differs from the manifest's");
        auto live = std::make_shared<LiveSegment>();
        live->segment = seg;
        live->dead.assign(seg->files().size(), false);
        for (uint32_t d : ms.dead) {
          if (d >= seg->files().size()) {
            return absl::DataLossError("ngram: manifest '" + manifest_path + "': dead file " +
                                       Num(d) + " past the end of segment " + Num(ms.generation));
          }
          live->Kill(d);
        }
        for (size_t f = 0; f < seg->files().size(); ++f) {
          if (!live->dead[f] && !paths.insert(seg->files()[f].path).second) {
            return absl::DataLossError("ngram: manifest '" + manifest_path + "': file '" +
                                       std::string(seg->files()[f].path) +
                                       "' live in two segments");
          }
        }
        snap->segments.push_back(std::move(live));
      }
      std::sort(snap->segments.begin(), snap->segments.end(), [](const auto& a, const auto& b) {
        return a->segment->generation() < b->segment->generation();
      });
    }
  } else {
    write_manifest = true;
  }

  // Crash leftovers (and, after a tokenizer change, every segment): files the manifest does not
  // name.
  std::set<uint64_t> live_generations;
  for (const auto& s : snap->segments) live_generations.insert(s->segment->generation());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    uint64_t generation = 0;
    bool orphan = ParseSegmentName(name, &generation) && !live_generations.contains(generation);
    if (orphan || name.starts_with(std::string(".") + kManifestName + ".tmp.")) {
      std::filesystem::remove(entry.path(), ec);
      if (orphan) snap->next_generation = std::max(snap->next_generation, generation + 1);
    }
  }
  memory->next_generation_ = snap->next_generation;
  if (write_manifest) {
    RETURN_IF_ERROR(memory->WriteManifest(*snap));
  }
  snap->manifest_bytes = std::filesystem::file_size(manifest_path, ec);
  if (ec) snap->manifest_bytes = 0;
  memory->snapshot_ = std::move(snap);
  return memory;
}

absl::Status NgramMemory::Destroy(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return absl::OkStatus();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    uint64_t generation = 0;
    if (name == kManifestName || name == kLockName || ParseSegmentName(name, &generation) ||
        name.starts_with(std::string(".") + kManifestName + ".tmp.")) {
      std::error_code rm;
      std::filesystem::remove(entry.path(), rm);
      if (rm) {
        return absl::UnavailableError("ngram: cannot remove '" + entry.path().string() +
                                      "': " + rm.message());
      }
    }
  }
  if (ec) return absl::UnavailableError("ngram: cannot list '" + dir + "': " + ec.message());
  std::filesystem::remove(dir, ec);  // only when empty; other files are not ours
  return absl::OkStatus();
}

std::shared_ptr<const NgramMemory::Snapshot> NgramMemory::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

absl::Status NgramMemory::WriteManifest(const Snapshot& snap) const {
  Manifest m;
  m.tokenizer_id = tokenizer_->Id();
  m.next_generation = snap.next_generation;
  for (const auto& s : snap.segments) {
    ManifestSegment ms;
    ms.generation = s->segment->generation();
    for (uint32_t f = 0; f < s->dead.size(); ++f) {
      if (s->dead[f]) ms.dead.push_back(f);
    }
    m.segments.push_back(std::move(ms));
  }
  return WriteFileAtomically(dir_ + "/" + kManifestName, EncodeManifest(m));
}

// Writes the manifest of `next`, publishes it, and deletes the segment files it no longer names.
absl::Status NgramMemory::Commit(std::shared_ptr<Snapshot> next) {
  RETURN_IF_ERROR(WriteManifest(*next));
  std::error_code ec;
  next->manifest_bytes = std::filesystem::file_size(dir_ + "/" + kManifestName, ec);
  if (ec) next->manifest_bytes = 0;
  std::set<uint64_t> kept;
  for (const auto& s : next->segments) kept.insert(s->segment->generation());
  std::shared_ptr<const Snapshot> previous;
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    previous = std::move(snapshot_);
    snapshot_ = std::move(next);
  }
  for (const auto& s : previous->segments) {
    // Readers holding the previous snapshot keep their mapping; the file's blocks go with the last.
    if (!kept.contains(s->segment->generation())) ::unlink(s->segment->path().c_str());
  }
  return absl::OkStatus();
}

absl::Status NgramMemory::Update(const std::vector<NgramFileInput>& upserts,
                                 const std::vector<std::string>& removals,
                                 NgramUpdateResult* result) {
  std::lock_guard<std::mutex> update_lock(update_mu_);
  NgramUpdateResult local;
  if (result == nullptr) result = &local;
  *result = {};
  absl::flat_hash_set<std::string_view> upserted;
  for (const NgramFileInput& f : upserts) {
    if (f.path.empty()) return absl::InvalidArgumentError("ngram: upsert without a path");
    if (!upserted.insert(f.path).second) {
      return absl::InvalidArgumentError("ngram: '" + f.path + "' upserted twice in one update");
    }
  }
  for (const std::string& p : removals) {
    if (upserted.contains(p)) {
      return absl::InvalidArgumentError("ngram: '" + p + "' both upserted and removed");
    }
  }
  std::shared_ptr<const Snapshot> current = snapshot();
  auto next = std::make_shared<Snapshot>(*current);

  // Mark the old entries of every upserted or removed path dead (copy-on-write per segment).
  std::vector<std::shared_ptr<LiveSegment>> copies(next->segments.size());
  bool changed = !upserts.empty();
  auto kill = [&](std::string_view path) {
    for (size_t i = 0; i < next->segments.size(); ++i) {
      const LiveSegment& s = *next->segments[i];
      int64_t f = FindFile(*s.segment, path);
      if (f < 0 || s.dead[static_cast<size_t>(f)]) continue;
      if (copies[i] == nullptr) {
        copies[i] = std::make_shared<LiveSegment>(s);
        next->segments[i] = copies[i];
      }
      copies[i]->Kill(static_cast<uint32_t>(f));
      changed = true;
      return;  // a path is live in at most one segment
    }
  };
  for (const NgramFileInput& f : upserts) kill(f.path);
  for (const std::string& p : removals) kill(p);
  if (!changed) return absl::OkStatus();
  std::erase_if(next->segments, [](const auto& s) { return s->live_files() == 0; });

  std::string new_path;
  if (!upserts.empty()) {
    std::vector<const NgramFileInput*> order;
    for (const NgramFileInput& f : upserts) order.push_back(&f);
    std::sort(order.begin(), order.end(), [](auto a, auto b) { return a->path < b->path; });
    std::vector<TokenizedFile> tokenized(order.size());
    absl::flat_hash_map<uint32_t, std::string_view> lexicon_map;
    std::vector<MemoryToken> scratch;
    uint64_t total = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      TokenizeFile(*tokenizer_, *order[i], &scratch, &tokenized[i], &lexicon_map);
      total += tokenized[i].tokens.size();
      if (total >= std::numeric_limits<uint32_t>::max()) {
        return absl::InvalidArgumentError("ngram: update of " + Num(order.size()) +
                                          " files holds over 2^32 tokens; split it");
      }
    }
    std::vector<std::pair<uint32_t, std::string_view>> lexicon(lexicon_map.begin(),
                                                               lexicon_map.end());
    std::sort(lexicon.begin(), lexicon.end());
    std::vector<NgramSegmentFileSpec> specs;
    specs.reserve(order.size());
    for (const TokenizedFile& t : tokenized) {
      specs.push_back({t.input->path, t.input->blob_id, static_cast<uint32_t>(t.tokens.size()),
                       static_cast<uint32_t>(t.lines.size())});
    }
    const uint64_t generation = next_generation_++;
    new_path = SegmentPath(generation);
    NgramSegmentOptions seg_options{generation, tokenizer_->Id(), options_.heads,
                                    options_.slots_per_token, options_.build_threads};
    ASSIGN_OR_RETURN(auto writer,
                     NgramSegmentWriter::Create(new_path, seg_options, std::move(specs), lexicon));
    for (size_t i = 0; i < tokenized.size(); ++i) {
      std::copy(tokenized[i].tokens.begin(), tokenized[i].tokens.end(), writer->tokens(i).begin());
      std::copy(tokenized[i].lines.begin(), tokenized[i].lines.end(), writer->lines(i).begin());
    }
    tokenized.clear();
    RETURN_IF_ERROR(writer->Finish());
    auto seg = NgramSegment::Open(new_path);
    if (!seg.ok()) {
      ::unlink(new_path.c_str());
      return seg.status();
    }
    auto live = std::make_shared<LiveSegment>();
    live->segment = *std::move(seg);
    live->dead.assign(live->segment->files().size(), false);
    next->segments.push_back(std::move(live));
    result->tokens_added = total;
    result->segments_written = 1;
  }
  next->next_generation = next_generation_;
  if (absl::Status s = Commit(next); !s.ok()) {
    if (!new_path.empty()) ::unlink(new_path.c_str());
    return s;
  }
  return Compact(result);
}

absl::Status NgramMemory::Compact(NgramUpdateResult* result) {
  std::shared_ptr<const Snapshot> current = snapshot();
  const auto& segs = current->segments;
  // Segments with too many dead tokens are rewritten; above max_segments, the smallest too.
  std::vector<size_t> selected, others;
  for (size_t i = 0; i < segs.size(); ++i) {
    const double dead = static_cast<double>(segs[i]->dead_tokens);
    const double all = static_cast<double>(segs[i]->segment->token_count());
    if (all > 0 && dead > options_.max_dead_fraction * all) {
      selected.push_back(i);
    } else {
      others.push_back(i);
    }
  }
  std::stable_sort(others.begin(), others.end(), [&](size_t a, size_t b) {
    return segs[a]->live_tokens() < segs[b]->live_tokens();
  });
  const size_t max_segments = std::max<uint32_t>(options_.max_segments, 1);
  size_t take = 0;
  if (others.size() + (selected.empty() ? 0 : 1) > max_segments) {
    // Fold the smallest into the merged segment until the count fits, then keep absorbing the next
    // smallest while it is no larger than what is merged so far (size-tiered merging).
    take = others.size() + 1 - max_segments;  // >= 2 when nothing else is selected
    uint64_t merged = 0;
    for (size_t i : selected) merged += segs[i]->live_tokens();
    for (size_t k = 0; k < take; ++k) merged += segs[others[k]]->live_tokens();
    while (take < others.size() && segs[others[take]]->live_tokens() <= merged) {
      merged += segs[others[take]]->live_tokens();
      ++take;
    }
  }
  for (size_t k = 0; k < take; ++k) selected.push_back(others[k]);
  if (selected.empty()) return absl::OkStatus();

  struct Source {
    const LiveSegment* live;
    const NgramSegment::File* file;
  };
  std::vector<Source> sources;
  uint64_t tokens = 0;
  for (size_t i : selected) {
    const LiveSegment& s = *segs[i];
    for (size_t f = 0; f < s.segment->files().size(); ++f) {
      if (s.dead[f]) continue;
      sources.push_back({&s, &s.segment->files()[f]});
      tokens += s.segment->files()[f].token_count;
    }
  }
  if (tokens >= std::numeric_limits<uint32_t>::max()) return absl::OkStatus();  // would not fit
  std::sort(sources.begin(), sources.end(),
            [](const Source& a, const Source& b) { return a.file->path < b.file->path; });

  auto next = std::make_shared<Snapshot>();
  next->segments.reserve(segs.size());
  std::set<size_t> selected_set(selected.begin(), selected.end());
  for (size_t i = 0; i < segs.size(); ++i) {
    if (!selected_set.contains(i)) next->segments.push_back(segs[i]);
  }
  std::string new_path;
  if (!sources.empty()) {
    // Lexicon: the entries of the merged segments for the ids the live streams use.
    absl::flat_hash_set<uint32_t> used;
    for (const Source& s : sources) {
      for (uint32_t id : s.live->segment->tokens(*s.file)) used.insert(id);
    }
    absl::flat_hash_map<uint32_t, std::string_view> lexicon_map;
    for (size_t i : selected) {
      const NgramSegment& seg = *segs[i]->segment;
      for (size_t k = 0; k < seg.lexicon_size(); ++k) {
        if (used.contains(seg.lexicon_id(k)))
          lexicon_map.try_emplace(seg.lexicon_id(k), seg.lexicon_text(k));
      }
    }
    std::vector<std::pair<uint32_t, std::string_view>> lexicon(lexicon_map.begin(),
                                                               lexicon_map.end());
    std::sort(lexicon.begin(), lexicon.end());
    std::vector<NgramSegmentFileSpec> specs;
    specs.reserve(sources.size());
    for (const Source& s : sources) {
      specs.push_back({std::string(s.file->path), std::string(s.file->blob_id), s.file->token_count,
                       s.file->line_count});
    }
    const uint64_t generation = next_generation_++;
    new_path = SegmentPath(generation);
    NgramSegmentOptions seg_options{generation, tokenizer_->Id(), options_.heads,
                                    options_.slots_per_token, options_.build_threads};
    ASSIGN_OR_RETURN(auto writer,
                     NgramSegmentWriter::Create(new_path, seg_options, std::move(specs), lexicon));
    for (size_t i = 0; i < sources.size(); ++i) {
      std::span<const uint32_t> t = sources[i].live->segment->tokens(*sources[i].file);
      std::span<const uint32_t> l = sources[i].live->segment->lines(*sources[i].file);
      std::copy(t.begin(), t.end(), writer->tokens(i).begin());
      std::copy(l.begin(), l.end(), writer->lines(i).begin());
    }
    RETURN_IF_ERROR(writer->Finish());
    auto seg = NgramSegment::Open(new_path);
    if (!seg.ok()) {
      ::unlink(new_path.c_str());
      return seg.status();
    }
    auto live = std::make_shared<LiveSegment>();
    live->segment = *std::move(seg);
    live->dead.assign(live->segment->files().size(), false);
    next->segments.push_back(std::move(live));
    result->segments_written += 1;
  }
  result->segments_compacted += selected.size();
  next->next_generation = next_generation_;
  if (absl::Status s = Commit(next); !s.ok()) {
    if (!new_path.empty()) ::unlink(new_path.c_str());
    return s;
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> NgramMemory::Files() const {
  std::shared_ptr<const Snapshot> snap = snapshot();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : snap->segments) {
    const auto& files = s->segment->files();
    for (size_t f = 0; f < files.size(); ++f) {
      if (!s->dead[f]) out.emplace_back(std::string(files[f].path), std::string(files[f].blob_id));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<NgramFindResult> NgramMemory::Find(std::span<const uint32_t> tokens, size_t limit,
                                                  uint64_t count_cap) const {
  if (tokens.size() < 2) {
    return absl::InvalidArgumentError("ngram: find needs at least 2 tokens, got " +
                                      Num(tokens.size()));
  }
  const size_t n = std::min<size_t>(tokens.size(), kNgramMaxN);
  std::span<const uint32_t> gram = tokens.first(n);
  std::span<const uint32_t> rest = tokens.subspan(n);
  std::shared_ptr<const Snapshot> snap = snapshot();
  NgramFindResult result;
  for (const auto& live : snap->segments) {
    const NgramSegment& seg = *live->segment;
    std::span<const uint32_t> stream = seg.tokens();
    std::vector<std::pair<uint32_t, uint32_t>> hits;  // (file, position), ascending
    if (result.total >= count_cap) break;
    ForEachOccurrence(
        seg, live->dead, gram, [&] { return result.total < count_cap; },
        [&](uint32_t file, uint32_t p) {
          if (!rest.empty()) {
            if (uint64_t{p} + tokens.size() > seg.files()[file].end_token()) return;
            if (!std::equal(rest.begin(), rest.end(), stream.begin() + p + n)) return;
          }
          ++result.total;
          if (hits.size() < limit) hits.emplace_back(file, p);
        });
    for (auto [file, p] : hits) {
      const NgramSegment::File& f = seg.files()[file];
      const uint32_t offset = p - f.first_token;
      result.hits.push_back({std::string(f.path), offset, seg.LineOf(f, offset)});
    }
  }
  std::sort(result.hits.begin(), result.hits.end(), [](const NgramHit& a, const NgramHit& b) {
    return std::tie(a.path, a.token_offset) < std::tie(b.path, b.token_offset);
  });
  if (result.hits.size() > limit) result.hits.resize(limit);
  return result;
}

absl::StatusOr<NgramContinuations> NgramMemory::Continuations(std::span<const uint32_t> context,
                                                              size_t limit) const {
  if (context.size() < 2) {
    return absl::InvalidArgumentError("ngram: continuations need at least 2 context tokens, got " +
                                      Num(context.size()));
  }
  const size_t n = std::min<size_t>(context.size(), kNgramMaxN);
  std::span<const uint32_t> gram = context.last(n);
  std::shared_ptr<const Snapshot> snap = snapshot();
  NgramContinuations result;
  absl::flat_hash_map<uint32_t, uint64_t> tally;
  uint64_t examined = 0;
  // Newest segments first: when the scan is cut, recent code is what was sampled.
  for (auto it = snap->segments.rbegin(); it != snap->segments.rend(); ++it) {
    const NgramSegment& seg = *(*it)->segment;
    std::span<const uint32_t> stream = seg.tokens();
    bool complete = ForEachOccurrence(
        seg, (*it)->dead, gram,
        [&] {
          if (examined >= options_.max_scan) return false;
          ++examined;
          return true;
        },
        [&](uint32_t file, uint32_t p) {
          if (uint64_t{p} + n >= seg.files()[file].end_token()) return;  // nothing follows
          ++tally[stream[p + n]];
          ++result.occurrences;
        });
    if (!complete) {
      result.sampled = true;
      break;
    }
  }
  for (const auto& [id, count] : tally) result.tokens.push_back({id, std::string(), count});
  std::sort(result.tokens.begin(), result.tokens.end(),
            [](const NgramContinuation& a, const NgramContinuation& b) {
              return a.count != b.count ? a.count > b.count : a.id < b.id;
            });
  if (result.tokens.size() > limit) result.tokens.resize(limit);
  for (NgramContinuation& c : result.tokens) {
    for (auto it = snap->segments.rbegin(); it != snap->segments.rend(); ++it) {
      if (auto text = (*it)->segment->TokenText(c.id)) {
        c.text = std::string(*text);
        break;
      }
    }
  }
  return result;
}

NgramStats NgramMemory::Stats() const {
  std::shared_ptr<const Snapshot> snap = snapshot();
  NgramStats stats;
  stats.heads = options_.heads;
  stats.segments = snap->segments.size();
  stats.bytes = snap->manifest_bytes;
  for (const auto& s : snap->segments) {
    stats.files += s->live_files();
    stats.tokens += s->live_tokens();
    stats.dead_tokens += s->dead_tokens;
    stats.bytes += s->segment->bytes();
  }
  if (stats.tokens > 0) stats.bytes_per_token = static_cast<double>(stats.bytes) / stats.tokens;
  return stats;
}

}  // namespace engram::repo_index
