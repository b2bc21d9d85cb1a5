// The n-gram memory against a brute-force scan of the same files: Find and Continuations are exact,
// incremental updates (with compactions and reopenings) answer like a fresh build, corruption is
// DataLoss naming the file, a tokenizer change empties the memory.
#include "repo_index/memory/ngram_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "repo_index/memory/memory_tokenizer.h"

namespace engram::repo_index {

void PrintTo(const NgramHit& hit, std::ostream* os) {
  *os << hit.path << ":" << hit.line << " @" << hit.token_offset;
}
void PrintTo(const NgramContinuation& c, std::ostream* os) {
  *os << "'" << c.text << "' (" << c.id << ") x" << c.count;
}

namespace {

using Files = std::map<std::string, std::string>;  // path → content

std::string TempDir(const std::string& name) {
  std::string dir = std::filesystem::temp_directory_path().string() + "/engram-ngram-mem-" +
                    std::to_string(::getpid()) + "-" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

const std::vector<std::string>& Vocabulary() {
  static const std::vector<std::string> v = {"struct", "dev", "kfree", "skb", "return",
                                             "0",      "if",  "err",   "x_1", "$y"};
  return v;
}

uint32_t Id(const std::string& word) { return LexicalTokenizer::HashWord(word); }

// A file of words from the small vocabulary (so n-grams repeat), with varied separators and lines.
std::string RandomContent(std::mt19937& rng) {
  static const char* kSeparators[] = {" ", " ", " ", "\n", "(", ", ", ";\n\n", "  \t"};
  const size_t words = rng() % 6 == 0 ? rng() % 4 : rng() % 120;
  std::string out;
  if (rng() % 3 == 0) out += "\n";
  for (size_t i = 0; i < words; ++i) {
    out += Vocabulary()[rng() % Vocabulary().size()];
    out += kSeparators[rng() % std::size(kSeparators)];
  }
  return out;
}

std::string RandomPath(std::mt19937& rng) {
  return "src/d" + std::to_string(rng() % 4) + "/f" + std::to_string(rng() % 60) + ".c";
}

struct Tokenized {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> lines;  // 1-based line of each token
  std::vector<std::string> text;
};

Tokenized Tokenize(const std::string& content) {
  LexicalTokenizer lex;
  std::vector<MemoryToken> tokens;
  lex.Tokenize(content, &tokens);
  Tokenized t;
  for (const MemoryToken& m : tokens) {
    t.ids.push_back(m.id);
    t.lines.push_back(
        1 + static_cast<uint32_t>(std::count(content.begin(), content.begin() + m.begin, '\n')));
    t.text.push_back(content.substr(m.begin, m.end - m.begin));
  }
  return t;
}

// The files tokenized once, by path: what the brute-force scans read.
using Corpus = std::vector<std::pair<std::string, Tokenized>>;
Corpus MakeCorpus(const Files& files) {
  Corpus corpus;
  for (const auto& [path, content] : files) corpus.emplace_back(path, Tokenize(content));
  return corpus;
}

NgramFindResult BruteFind(const Corpus& corpus, const std::vector<uint32_t>& q, size_t limit) {
  NgramFindResult r;
  for (const auto& [path, t] : corpus) {
    for (size_t p = 0; p + q.size() <= t.ids.size(); ++p) {
      if (!std::equal(q.begin(), q.end(), t.ids.begin() + p)) continue;
      ++r.total;
      if (r.hits.size() < limit) r.hits.push_back({path, static_cast<uint32_t>(p), t.lines[p]});
    }
  }
  return r;
}

NgramContinuations BruteContinuations(const Corpus& corpus, const std::vector<uint32_t>& context,
                                      size_t limit) {
  const size_t n = std::min<size_t>(context.size(), 4);
  std::vector<uint32_t> gram(context.end() - n, context.end());
  std::map<uint32_t, uint64_t> tally;
  std::map<uint32_t, std::string> text;
  NgramContinuations r;
  for (const auto& [path, t] : corpus) {
    for (size_t p = 0; p + n < t.ids.size(); ++p) {
      if (!std::equal(gram.begin(), gram.end(), t.ids.begin() + p)) continue;
      ++tally[t.ids[p + n]];
      text[t.ids[p + n]] = t.text[p + n];
      ++r.occurrences;
    }
  }
  for (const auto& [id, count] : tally) r.tokens.push_back({id, text[id], count});
  std::stable_sort(r.tokens.begin(), r.tokens.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  if (r.tokens.size() > limit) r.tokens.resize(limit);
  return r;
}

// Queries of 2..6 tokens: half cut from the files (present), half random (mostly absent), some with
// a word outside the vocabulary.
std::vector<std::vector<uint32_t>> Queries(const Files& files, std::mt19937& rng, int count) {
  std::vector<std::vector<uint32_t>> out;
  std::vector<Tokenized> docs;
  for (const auto& [path, content] : files) docs.push_back(Tokenize(content));
  for (int i = 0; i < count; ++i) {
    const size_t len = 2 + rng() % 5;
    std::vector<uint32_t> q;
    if (i % 2 == 0 && !docs.empty()) {
      const Tokenized& d = docs[rng() % docs.size()];
      if (d.ids.size() >= len) {
        size_t p = rng() % (d.ids.size() - len + 1);
        q.assign(d.ids.begin() + p, d.ids.begin() + p + len);
      }
    }
    while (q.size() < len) q.push_back(Id(Vocabulary()[rng() % Vocabulary().size()]));
    if (i % 7 == 3) q[rng() % len] = Id("absent_word");
    out.push_back(std::move(q));
  }
  return out;
}

std::shared_ptr<const MemoryTokenizer> Lex() { return std::make_shared<LexicalTokenizer>(); }

std::vector<NgramFileInput> Inputs(const Files& files) {
  std::vector<NgramFileInput> out;
  for (const auto& [path, content] : files) out.push_back({path, "blob:" + path, content});
  return out;
}

void ExpectSameFind(const NgramFindResult& got, const NgramFindResult& want,
                    const std::string& what) {
  EXPECT_EQ(got.total, want.total) << what;
  EXPECT_EQ(got.hits, want.hits) << what;
}

void ExpectSameContinuations(const NgramContinuations& got, const NgramContinuations& want,
                             const std::string& what) {
  EXPECT_EQ(got.occurrences, want.occurrences) << what;
  EXPECT_EQ(got.tokens, want.tokens) << what;
  EXPECT_FALSE(got.sampled) << what;
}

std::string Describe(const std::vector<uint32_t>& q) {
  std::string s = "query";
  for (uint32_t id : q) s += " " + std::to_string(id);
  return s;
}

Files RandomFiles(uint32_t seed, int count) {
  std::mt19937 rng(seed);
  Files files;
  while (static_cast<int>(files.size()) < count) files[RandomPath(rng)] = RandomContent(rng);
  return files;
}

TEST(NgramMemoryTest, FindEqualsBruteForceScan) {
  for (int heads : {1, 2, 4}) {
    const std::string dir = TempDir("find" + std::to_string(heads));
    Files files = RandomFiles(1 + heads, 40);
    NgramOptions options;
    options.heads = heads;
    auto memory = NgramMemory::Open(dir, Lex(), options);
    ASSERT_TRUE(memory.ok()) << memory.status();
    ASSERT_TRUE((*memory)->Update(Inputs(files), {}).ok());
    std::mt19937 rng(99);
    const Corpus corpus = MakeCorpus(files);
    for (const auto& q : Queries(files, rng, 400)) {
      for (size_t limit : {size_t{0}, size_t{3}, size_t{1000}}) {
        auto got = (*memory)->Find(q, limit);
        ASSERT_TRUE(got.ok()) << got.status();
        ExpectSameFind(*got, BruteFind(corpus, q, limit), Describe(q));
      }
    }
    memory->reset();
    ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
    EXPECT_FALSE(std::filesystem::exists(dir));
  }
}

TEST(NgramMemoryTest, FindStopsCountingAtTheCap) {
  const std::string dir = TempDir("cap");
  Files files = RandomFiles(5, 40);
  auto memory = NgramMemory::Open(dir, Lex());
  ASSERT_TRUE(memory.ok()) << memory.status();
  ASSERT_TRUE((*memory)->Update(Inputs(files), {}).ok());
  std::mt19937 rng(5);
  const Corpus corpus = MakeCorpus(files);
  int capped = 0;
  for (const auto& q : Queries(files, rng, 200)) {
    const uint64_t total = BruteFind(corpus, q, 0).total;
    for (uint64_t cap : {uint64_t{1}, uint64_t{3}, uint64_t{50}}) {
      auto got = (*memory)->Find(q, 1000, cap);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(got->total, std::min(total, cap)) << Describe(q);
      EXPECT_LE(got->hits.size(), cap);
      capped += total > cap;
    }
  }
  EXPECT_GT(capped, 0) << "the corpus has sequences above the caps";
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

TEST(NgramMemoryTest, ContinuationsEqualBruteForceTally) {
  const std::string dir = TempDir("cont");
  Files files = RandomFiles(7, 30);
  auto memory = NgramMemory::Open(dir, Lex());
  ASSERT_TRUE(memory.ok()) << memory.status();
  ASSERT_TRUE((*memory)->Update(Inputs(files), {}).ok());
  std::mt19937 rng(5);
  const Corpus corpus = MakeCorpus(files);
  int nonempty = 0;
  for (const auto& q : Queries(files, rng, 400)) {
    for (size_t limit : {size_t{1}, size_t{4}, size_t{100}}) {
      auto got = (*memory)->Continuations(q, limit);
      ASSERT_TRUE(got.ok()) << got.status();
      ExpectSameContinuations(*got, BruteContinuations(corpus, q, limit), Describe(q));
      nonempty += !got->tokens.empty();
    }
  }
  EXPECT_GT(nonempty, 100);
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

TEST(NgramMemoryTest, ContinuationsAreSampledPastMaxScan) {
  const std::string dir = TempDir("sampled");
  Files files;
  for (int i = 0; i < 5; ++i) {
    std::string content;
    for (int k = 0; k < 100; ++k) content += "kfree skb return 0\n";
    files["f" + std::to_string(i)] = content;
  }
  NgramOptions options;
  options.max_scan = 120;
  auto memory = NgramMemory::Open(dir, Lex(), options);
  ASSERT_TRUE(memory.ok());
  ASSERT_TRUE((*memory)->Update(Inputs(files), {}).ok());
  const std::vector<uint32_t> context = {Id("kfree"), Id("skb")};
  auto got = (*memory)->Continuations(context, 5);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->sampled);
  EXPECT_EQ(got->occurrences, 120u);
  ASSERT_EQ(got->tokens.size(), 1u);
  EXPECT_EQ(got->tokens[0].text, "return");
  // Find is never sampled.
  auto found = (*memory)->Find(context, 2);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 500u);
  EXPECT_EQ(found->hits, (std::vector<NgramHit>{{"f0", 0, 1}, {"f0", 4, 2}}));
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

TEST(NgramMemoryTest, RejectsBadArguments) {
  const std::string dir = TempDir("args");
  auto memory = NgramMemory::Open(dir, Lex());
  ASSERT_TRUE(memory.ok());
  const uint32_t one[1] = {Id("dev")};
  EXPECT_EQ((*memory)->Find(one, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*memory)->Continuations(one, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*memory)->Update({{"a", "1", "x"}, {"a", "2", "y"}}, {}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*memory)->Update({{"a", "1", "x"}}, {"a"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*memory)->Update({{"", "1", "x"}}, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*memory)->Update({}, {"never-stored"}).ok());
  EXPECT_TRUE((*memory)->Files().empty());
  EXPECT_EQ(NgramMemory::Open(dir, Lex()).status().code(), absl::StatusCode::kFailedPrecondition);
  NgramOptions bad;
  bad.heads = 5;
  EXPECT_EQ(NgramMemory::Open(dir + "-x", Lex(), bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

// Checks `memory` against a fresh build of `files` and against the brute-force scan.
void ExpectEquivalent(NgramMemory& memory, const Files& files, const std::string& scratch,
                      std::mt19937& rng, int queries) {
  std::vector<std::pair<std::string, std::string>> want_files;
  for (const auto& [path, content] : files)
    want_files.emplace_back(path, "blob:" + path + ":" + content);
  ASSERT_EQ(memory.Files(), want_files);
  std::filesystem::remove_all(scratch);
  auto fresh = NgramMemory::Open(scratch, Lex());
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  std::vector<NgramFileInput> inputs;
  for (const auto& [path, content] : files)
    inputs.push_back({path, "blob:" + path + ":" + content, content});
  ASSERT_TRUE((*fresh)->Update(inputs, {}).ok());
  ASSERT_EQ((*fresh)->Files(), want_files);
  const Corpus corpus = MakeCorpus(files);
  EXPECT_EQ(memory.Stats().files, files.size());
  EXPECT_EQ(memory.Stats().tokens, (*fresh)->Stats().tokens);
  for (const auto& q : Queries(files, rng, queries)) {
    auto a = memory.Find(q, 7);
    auto b = (*fresh)->Find(q, 7);
    ASSERT_TRUE(a.ok() && b.ok());
    ExpectSameFind(*a, *b, Describe(q));
    ExpectSameFind(*a, BruteFind(corpus, q, 7), Describe(q));
    auto c = memory.Continuations(q, 5);
    auto d = (*fresh)->Continuations(q, 5);
    ASSERT_TRUE(c.ok() && d.ok());
    ExpectSameContinuations(*c, *d, Describe(q));
    ExpectSameContinuations(*c, BruteContinuations(corpus, q, 5), Describe(q));
  }
  fresh->reset();
  ASSERT_TRUE(NgramMemory::Destroy(scratch).ok());
}

TEST(NgramMemoryTest, IncrementalUpdatesEqualARebuild) {
  const std::string dir = TempDir("incr");
  const std::string scratch = TempDir("incr-fresh");
  NgramOptions options;
  options.max_segments = 3;  // compaction every few steps
  auto memory = NgramMemory::Open(dir, Lex(), options);
  ASSERT_TRUE(memory.ok()) << memory.status();
  std::mt19937 rng(2024);
  Files files;
  uint64_t compacted = 0;
  for (int step = 0; step < 150; ++step) {
    std::vector<NgramFileInput> upserts;
    std::vector<std::string> removals;
    std::map<std::string, std::string> changed;  // keeps upsert contents alive
    const int ops = 1 + static_cast<int>(rng() % (step % 10 == 0 ? 12 : 3));
    for (int k = 0; k < ops; ++k) {
      const int kind = static_cast<int>(rng() % 10);
      if (kind < 5 || files.empty()) {  // add or edit
        std::string path = RandomPath(rng);
        if (std::find(removals.begin(), removals.end(), path) != removals.end()) continue;
        changed[path] = RandomContent(rng);
      } else if (kind < 8) {  // remove
        auto it = std::next(files.begin(), static_cast<long>(rng() % files.size()));
        if (changed.contains(it->first)) continue;
        removals.push_back(it->first);
      } else {  // rename
        auto it = std::next(files.begin(), static_cast<long>(rng() % files.size()));
        std::string to = RandomPath(rng);
        if (changed.contains(it->first) || changed.contains(to) || to == it->first ||
            std::find(removals.begin(), removals.end(), to) != removals.end()) {
          continue;
        }
        if (std::find(removals.begin(), removals.end(), it->first) == removals.end()) {
          removals.push_back(it->first);
        }
        changed[to] = it->second;
      }
    }
    for (const std::string& p : removals) files.erase(p);
    for (const auto& [path, content] : changed) files[path] = content;
    for (const auto& [path, content] : changed) {
      upserts.push_back({path, "blob:" + path + ":" + content, files[path]});
    }
    NgramUpdateResult result;
    ASSERT_TRUE((*memory)->Update(upserts, removals, &result).ok()) << "step " << step;
    compacted += result.segments_compacted;
    NgramStats stats = (*memory)->Stats();
    EXPECT_LE(stats.segments, options.max_segments) << "step " << step;
    EXPECT_LE(stats.dead_tokens, options.max_dead_fraction * (stats.tokens + stats.dead_tokens) + 1)
        << "step " << step;
    if (step % 50 == 49) {  // persistence: reopen from disk
      memory->reset();
      memory = NgramMemory::Open(dir, Lex(), options);
      ASSERT_TRUE(memory.ok()) << memory.status();
    }
    if (step % 30 == 29) ExpectEquivalent(**memory, files, scratch, rng, 40);
  }
  EXPECT_GT(compacted, 10u);
  ExpectEquivalent(**memory, files, scratch, rng, 300);
  // Only the live segments and the manifest are on disk.
  size_t segment_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    segment_files += e.path().extension() == ".ngm";
  }
  EXPECT_EQ(segment_files, (*memory)->Stats().segments);
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

TEST(NgramMemoryTest, RemovingEverythingLeavesAnEmptyMemory) {
  const std::string dir = TempDir("empty");
  Files files = RandomFiles(3, 10);
  auto memory = NgramMemory::Open(dir, Lex());
  ASSERT_TRUE(memory.ok());
  ASSERT_TRUE((*memory)->Update(Inputs(files), {}).ok());
  std::vector<std::string> all;
  for (const auto& [path, content] : files) all.push_back(path);
  ASSERT_TRUE((*memory)->Update({}, all).ok());
  EXPECT_TRUE((*memory)->Files().empty());
  NgramStats stats = (*memory)->Stats();
  EXPECT_EQ(stats.segments, 0u);
  EXPECT_EQ(stats.tokens, 0u);
  const std::vector<uint32_t> q = {Id("struct"), Id("dev")};
  EXPECT_EQ((*memory)->Find(q, 5)->total, 0u);
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(NgramMemoryTest, CorruptManifestOrSegmentIsDataLossNamingTheFile) {
  const std::string dir = TempDir("corrupt");
  {
    auto memory = NgramMemory::Open(dir, Lex());
    ASSERT_TRUE(memory.ok());
    Files files = RandomFiles(4, 8);
    ASSERT_TRUE((*memory)->Update(Inputs(files), {}).ok());
    ASSERT_TRUE((*memory)->Update({}, {files.begin()->first}).ok());  // a dead entry
  }
  const std::string manifest = dir + "/MANIFEST";
  const std::string good = ReadAll(manifest);
  auto expect_data_loss = [&](const std::string& file, const std::string& what) {
    auto memory = NgramMemory::Open(dir, Lex());
    ASSERT_FALSE(memory.ok()) << what;
    EXPECT_EQ(memory.status().code(), absl::StatusCode::kDataLoss)
        << what << ": " << memory.status();
    EXPECT_NE(memory.status().message().find(file), std::string::npos) << memory.status();
  };
  for (size_t size = 0; size < good.size(); size += 3) {
    WriteAll(manifest, good.substr(0, size));
    expect_data_loss(manifest, "manifest truncated to " + std::to_string(size));
  }
  for (size_t off = 0; off < good.size(); ++off) {
    std::string bad = good;
    bad[off] ^= 0x21;
    WriteAll(manifest, bad);
    expect_data_loss(manifest, "manifest byte " + std::to_string(off));
  }
  WriteAll(manifest, good);
  std::string segment;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".ngm") segment = e.path().string();
  }
  ASSERT_FALSE(segment.empty());
  const std::string seg_good = ReadAll(segment);
  for (size_t off :
       {size_t{0}, size_t{40}, size_t{1100}, seg_good.size() / 2, seg_good.size() - 1}) {
    std::string bad = seg_good;
    bad[off] ^= 0x10;
    WriteAll(segment, bad);
    expect_data_loss(segment, "segment byte " + std::to_string(off));
  }
  WriteAll(segment, seg_good.substr(0, seg_good.size() - 16));
  expect_data_loss(segment, "segment truncated");
  std::filesystem::remove(segment);
  expect_data_loss(segment, "segment missing");
  WriteAll(segment, seg_good);
  auto memory = NgramMemory::Open(dir, Lex());
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_EQ((*memory)->Files().size(), 7u);
  memory->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

class RenamedTokenizer final : public MemoryTokenizer {
 public:
  std::string Id() const override { return "model:test:1234"; }
  void Tokenize(std::string_view text, std::vector<MemoryToken>* out) const override {
    lex_.Tokenize(text, out);
  }
  size_t CountTokens(std::string_view text) const override { return lex_.CountTokens(text); }

 private:
  LexicalTokenizer lex_;
};

TEST(NgramMemoryTest, TokenizerChangeEmptiesTheMemory) {
  const std::string dir = TempDir("tokenizer");
  {
    auto memory = NgramMemory::Open(dir, Lex());
    ASSERT_TRUE(memory.ok());
    ASSERT_TRUE((*memory)->Update(Inputs(RandomFiles(5, 6)), {}).ok());
    EXPECT_EQ((*memory)->Files().size(), 6u);
  }
  {
    auto memory = NgramMemory::Open(dir, std::make_shared<RenamedTokenizer>());
    ASSERT_TRUE(memory.ok()) << memory.status();
    EXPECT_TRUE((*memory)->Files().empty());
    EXPECT_EQ((*memory)->Stats().segments, 0u);
    EXPECT_EQ((*memory)->tokenizer().Id(), "model:test:1234");
    ASSERT_TRUE((*memory)->Update({{"a.c", "1", "kfree skb"}}, {}).ok());
  }
  size_t segment_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    segment_files += e.path().extension() == ".ngm";
  EXPECT_EQ(segment_files, 1u);
  {
    auto memory = NgramMemory::Open(dir, std::make_shared<RenamedTokenizer>());
    ASSERT_TRUE(memory.ok());
    EXPECT_EQ((*memory)->Files(), (std::vector<std::pair<std::string, std::string>>{{"a.c", "1"}}));
  }
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

TEST(NgramMemoryTest, OrphanSegmentsAreDeletedAtOpen) {
  const std::string dir = TempDir("orphans");
  {
    auto memory = NgramMemory::Open(dir, Lex());
    ASSERT_TRUE(memory.ok());
    ASSERT_TRUE((*memory)->Update(Inputs(RandomFiles(6, 4)), {}).ok());
  }
  WriteAll(dir + "/seg-99.ngm", "half-written segment");
  WriteAll(dir + "/.MANIFEST.tmp.abc123", "half-written manifest");
  WriteAll(dir + "/notes.txt", "not ours");
  {
    auto memory = NgramMemory::Open(dir, Lex());
    ASSERT_TRUE(memory.ok()) << memory.status();
    EXPECT_EQ((*memory)->Files().size(), 4u);
    EXPECT_FALSE(std::filesystem::exists(dir + "/seg-99.ngm"));
    EXPECT_FALSE(std::filesystem::exists(dir + "/.MANIFEST.tmp.abc123"));
    EXPECT_TRUE(std::filesystem::exists(dir + "/notes.txt"));
    // Generations never reuse an orphan's number.
    ASSERT_TRUE((*memory)->Update({{"z.c", "1", "if err return"}}, {}).ok());
    EXPECT_TRUE(std::filesystem::exists(dir + "/seg-100.ngm"));
  }
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/notes.txt"));  // Destroy keeps what is not ours
  std::filesystem::remove_all(dir);
}

TEST(NgramMemoryTest, ReadersRunConcurrentlyWithUpdates) {
  const std::string dir = TempDir("concurrent");
  NgramOptions options;
  options.max_segments = 2;
  auto opened = NgramMemory::Open(dir, Lex(), options);
  ASSERT_TRUE(opened.ok());
  NgramMemory& memory = **opened;
  ASSERT_TRUE(memory.Update({{"stable.c", "s", "unique_a unique_b unique_c"}}, {}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  const std::vector<uint32_t> q = {Id("unique_a"), Id("unique_b"), Id("unique_c")};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto found = memory.Find(q, 10);
        ASSERT_TRUE(found.ok());
        ASSERT_EQ(found->total, 1u);
        auto next = memory.Continuations(std::span(q).first(2), 3);
        ASSERT_TRUE(next.ok());
        ASSERT_EQ(next->tokens.size(), 1u);
        ASSERT_EQ(next->tokens[0].text, "unique_c");
        memory.Stats();
        memory.Files();
        ++reads;
      }
    });
  }
  std::mt19937 rng(8);
  for (int i = 0; i < 40; ++i) {
    std::string content = RandomContent(rng);
    ASSERT_TRUE(memory.Update({{RandomPath(rng), "b", content}}, {}).ok());
  }
  while (reads.load() < 20) std::this_thread::yield();
  stop = true;
  for (std::thread& t : readers) t.join();
  opened->reset();
  ASSERT_TRUE(NgramMemory::Destroy(dir).ok());
}

}  // namespace
}  // namespace engram::repo_index
