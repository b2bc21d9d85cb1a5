// The n-gram hash, table primes and the segment file: a written segment reads back with every
// table's postings equal to those computed directly, and every truncation or flipped byte is
// DataLoss.
#include "repo_index/memory/ngram_segment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "repo_index/memory/ngram_hash.h"

namespace engram::repo_index {
namespace {

std::string TempDir(const std::string& name) {
  std::string dir = std::filesystem::temp_directory_path().string() + "/engram-ngram-seg-" +
                    std::to_string(::getpid()) + "-" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(NgramHashTest, Xxh64MatchesReferenceVectors) {
  // From the xxHash reference implementation (xxhsum -H1).
  EXPECT_EQ(NgramXxh64("", 0, 0), 0xef46db3751d8e999ull);
  EXPECT_EQ(NgramXxh64("a", 1, 0), 0xd24ec4f1a98c6e5bull);
  EXPECT_EQ(NgramXxh64("abc", 3, 0), 0x44bc2cf5ad770999ull);
}

TEST(NgramHashTest, MultipliersAreOddAndDistinct) {
  std::set<uint64_t> seen;
  for (int n = kNgramMinN; n <= kNgramMaxN; ++n) {
    for (int h = 0; h < kNgramMaxHeads; ++h) {
      EXPECT_EQ(NgramMultiplier(n, h) & 1, 1u);
      EXPECT_TRUE(seen.insert(NgramMultiplier(n, h)).second);
    }
  }
}

TEST(NgramHashTest, HashIsDeterministicAndOrderSensitive) {
  const uint32_t a[4] = {1, 2, 3, 4};
  const uint32_t b[4] = {2, 1, 3, 4};
  EXPECT_EQ(NgramHash(a, 4, 0), NgramHash(a, 4, 0));
  EXPECT_NE(NgramHash(a, 2, 0), NgramHash(b, 2, 0));
  EXPECT_NE(NgramHash(a, 2, 0), NgramHash(a, 2, 1));
  EXPECT_NE(NgramHash(a, 2, 0), NgramHash(a, 3, 0));
}

TEST(NgramHashTest, TablePrimesAreDistinctSuccessivePrimesAboveTheTarget) {
  EXPECT_TRUE(IsPrime(1021));
  EXPECT_FALSE(IsPrime(1023));
  for (auto [tokens, spt, heads] : std::vector<std::tuple<uint64_t, double, int>>{
           {0, 0.25, 2}, {100, 0.25, 1}, {1'000'000, 0.25, 4}, {123'457, 1.0, 3}}) {
    std::vector<uint32_t> primes = NgramTablePrimes(tokens, spt, heads);
    ASSERT_EQ(primes.size(), static_cast<size_t>(3 * heads));
    const uint64_t target =
        std::max<uint64_t>(1021, static_cast<uint64_t>(std::ceil(tokens * spt)));
    EXPECT_GE(primes[0], target);
    for (uint64_t x = target; x < primes[0]; ++x) EXPECT_FALSE(IsPrime(x));
    for (size_t i = 0; i < primes.size(); ++i) {
      EXPECT_TRUE(IsPrime(primes[i]));
      if (i > 0) {
        EXPECT_LT(primes[i - 1], primes[i]);
        for (uint64_t x = primes[i - 1] + 1; x < primes[i]; ++x) EXPECT_FALSE(IsPrime(x));
      }
    }
  }
}

struct SegmentData {
  std::vector<NgramSegmentFileSpec> specs;
  std::vector<std::vector<uint32_t>> tokens;
  std::vector<std::vector<uint32_t>> lines;
  std::vector<std::pair<uint32_t, std::string>> lexicon;
};

// Random files over a small vocabulary (so n-grams repeat), including empty and 1-token files.
SegmentData RandomSegment(uint32_t seed, int files) {
  std::mt19937 rng(seed);
  SegmentData d;
  std::set<std::string> paths;
  while (static_cast<int>(paths.size()) < files)
    paths.insert("dir/f" + std::to_string(rng() % 1000) + ".c");
  std::set<uint32_t> ids;
  for (const std::string& path : paths) {
    const uint32_t count = rng() % 5 == 0 ? rng() % 3 : rng() % 300;
    std::vector<uint32_t> t(count);
    for (uint32_t& id : t) {
      id = 1000 + rng() % 12;
      ids.insert(id);
    }
    std::vector<uint32_t> l = {0};
    for (uint32_t k = 1; k <= count; ++k) {
      if (rng() % 7 == 0) l.push_back(k);
      if (rng() % 11 == 0) l.push_back(k);  // an empty line
    }
    d.specs.push_back({path, "blob-" + path, count, static_cast<uint32_t>(l.size())});
    d.tokens.push_back(std::move(t));
    d.lines.push_back(std::move(l));
  }
  for (uint32_t id : ids) d.lexicon.emplace_back(id, "w" + std::to_string(id));
  return d;
}

absl::Status WriteSegment(const std::string& path, const SegmentData& d, int heads,
                          uint64_t generation = 5) {
  std::vector<std::pair<uint32_t, std::string_view>> lexicon(d.lexicon.begin(), d.lexicon.end());
  NgramSegmentOptions options{generation, "test-tokenizer", heads, 0.25, 2};
  auto writer = NgramSegmentWriter::Create(path, options, d.specs, lexicon);
  if (!writer.ok()) return writer.status();
  for (size_t i = 0; i < d.specs.size(); ++i) {
    std::copy(d.tokens[i].begin(), d.tokens[i].end(), (*writer)->tokens(i).begin());
    std::copy(d.lines[i].begin(), d.lines[i].end(), (*writer)->lines(i).begin());
  }
  return (*writer)->Finish();
}

TEST(NgramSegmentTest, RoundTripsEveryTableAndSection) {
  const std::string dir = TempDir("roundtrip");
  for (int heads = 1; heads <= kNgramMaxHeads; ++heads) {
    SegmentData d = RandomSegment(100 + heads, 40);
    const std::string path = dir + "/seg-" + std::to_string(heads) + ".ngm";
    ASSERT_TRUE(WriteSegment(path, d, heads).ok());
    auto seg = NgramSegment::Open(path);
    ASSERT_TRUE(seg.ok()) << seg.status();
    const NgramSegment& s = **seg;
    EXPECT_EQ(s.generation(), 5u);
    EXPECT_EQ(s.heads(), heads);
    EXPECT_EQ(s.tokenizer_id(), "test-tokenizer");
    EXPECT_EQ(s.bytes(), std::filesystem::file_size(path));
    ASSERT_EQ(s.files().size(), d.specs.size());
    std::vector<uint32_t> stream;
    std::vector<std::pair<uint32_t, uint32_t>> file_ranges;  // [begin, end) per file
    for (size_t i = 0; i < d.specs.size(); ++i) {
      const NgramSegment::File& f = s.files()[i];
      EXPECT_EQ(f.path, d.specs[i].path);
      EXPECT_EQ(f.blob_id, d.specs[i].blob_id);
      EXPECT_EQ(f.first_token, stream.size());
      std::span<const uint32_t> t = s.tokens(f), l = s.lines(f);
      EXPECT_EQ(std::vector<uint32_t>(t.begin(), t.end()), d.tokens[i]);
      EXPECT_EQ(std::vector<uint32_t>(l.begin(), l.end()), d.lines[i]);
      file_ranges.emplace_back(stream.size(), stream.size() + d.tokens[i].size());
      stream.insert(stream.end(), d.tokens[i].begin(), d.tokens[i].end());
      for (uint32_t k = 0; k < f.token_count; ++k) {
        EXPECT_EQ(s.FileOf(f.first_token + k), i);
        // Line of token k: the number of line-table entries <= k.
        uint32_t line = static_cast<uint32_t>(std::count_if(d.lines[i].begin(), d.lines[i].end(),
                                                            [&](uint32_t v) { return v <= k; }));
        EXPECT_EQ(s.LineOf(f, k), line);
      }
    }
    ASSERT_EQ(s.token_count(), stream.size());
    ASSERT_EQ(s.lexicon_size(), d.lexicon.size());
    for (size_t k = 0; k < d.lexicon.size(); ++k) {
      EXPECT_EQ(s.lexicon_id(k), d.lexicon[k].first);
      EXPECT_EQ(s.TokenText(d.lexicon[k].first), d.lexicon[k].second);
    }
    EXPECT_EQ(s.TokenText(7), std::nullopt);

    std::set<uint32_t> primes;
    for (int n = kNgramMinN; n <= kNgramMaxN; ++n) {
      for (int h = 0; h < heads; ++h) {
        const uint32_t slots = s.slots(n, h);
        EXPECT_TRUE(IsPrime(slots));
        EXPECT_TRUE(primes.insert(slots).second) << "prime shared by two tables";
        // Directly: every position whose n-gram fits in its file, in the slot its hash picks.
        std::map<uint32_t, std::vector<uint32_t>> expected;
        for (auto [begin, end] : file_ranges) {
          for (uint32_t p = begin; p + n <= end; ++p) {
            expected[NgramSlot(NgramHash(stream.data() + p, n, h), slots)].push_back(p);
          }
        }
        for (uint32_t slot = 0; slot < slots; ++slot) {
          std::span<const uint32_t> got = s.SlotAt(n, h, slot);
          auto it = expected.find(slot);
          std::vector<uint32_t> want = it == expected.end() ? std::vector<uint32_t>{} : it->second;
          ASSERT_EQ(std::vector<uint32_t>(got.begin(), got.end()), want)
              << "n=" << n << " head=" << h << " slot=" << slot;
        }
      }
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(NgramSegmentTest, EmptySegmentRoundTrips) {
  const std::string dir = TempDir("empty");
  ASSERT_TRUE(WriteSegment(dir + "/seg-1.ngm", SegmentData{}, 2).ok());
  auto seg = NgramSegment::Open(dir + "/seg-1.ngm");
  ASSERT_TRUE(seg.ok()) << seg.status();
  EXPECT_EQ((*seg)->token_count(), 0u);
  EXPECT_TRUE((*seg)->files().empty());
  const uint32_t gram[2] = {1, 2};
  EXPECT_TRUE((*seg)->Slot(2, 1, NgramHash(gram, 2, 1)).empty());
  std::filesystem::remove_all(dir);
}

TEST(NgramSegmentTest, WriterRefusesUnsortedInput) {
  const std::string dir = TempDir("unsorted");
  SegmentData d = RandomSegment(7, 3);
  std::swap(d.specs[0], d.specs[1]);
  std::vector<std::pair<uint32_t, std::string_view>> lexicon;
  auto w = NgramSegmentWriter::Create(dir + "/seg-1.ngm", NgramSegmentOptions{1, "t", 2, 0.25, 1},
                                      d.specs, lexicon);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir + "/seg-1.ngm"));
  std::filesystem::remove_all(dir);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(NgramSegmentTest, TruncationAndFlippedBytesAreDataLossNamingTheFile) {
  const std::string dir = TempDir("corrupt");
  const std::string path = dir + "/seg-3.ngm";
  ASSERT_TRUE(WriteSegment(path, RandomSegment(9, 6), 2, 3).ok());
  const std::string good = ReadAll(path);
  auto expect_data_loss = [&](const std::string& what) {
    auto seg = NgramSegment::Open(path);
    ASSERT_FALSE(seg.ok()) << what;
    EXPECT_EQ(seg.status().code(), absl::StatusCode::kDataLoss) << what << ": " << seg.status();
    EXPECT_NE(seg.status().message().find(path), std::string::npos) << seg.status();
  };
  for (size_t size :
       {size_t{0}, size_t{7}, size_t{1023}, size_t{1024}, good.size() / 2, good.size() - 1}) {
    WriteAll(path, good.substr(0, size));
    expect_data_loss("truncated to " + std::to_string(size));
  }
  WriteAll(path, good + std::string(8, '\0'));
  expect_data_loss("extended");
  // Flip one byte at a walk of offsets over the header and every section.
  const size_t step = std::max<size_t>(1, good.size() / 300);
  for (size_t off = 0; off < good.size(); off += (off < 1024 ? 29 : step)) {
    std::string bad = good;
    bad[off] ^= 0x5a;
    WriteAll(path, bad);
    expect_data_loss("byte " + std::to_string(off) + " flipped");
  }
  WriteAll(path, good);
  EXPECT_TRUE(NgramSegment::Open(path).ok());
  std::filesystem::remove_all(dir);
}

// Re-seals the checksum so that the structural checks behind it are what must catch the damage.
void Reseal(std::string* bytes) {
  uint64_t sum =
      NgramSegmentChecksum(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  std::memcpy(bytes->data() + kNgramChecksumOffset, &sum, 8);
}

TEST(NgramSegmentTest, CraftedFilesWithValidChecksumNeverCrash) {
  const std::string dir = TempDir("crafted");
  const std::string path = dir + "/seg-3.ngm";
  ASSERT_TRUE(WriteSegment(path, RandomSegment(11, 5), 2, 3).ok());
  const std::string good = ReadAll(path);
  // Every header field, and a walk over the sections: each damaged file either opens (the damage
  // is in a token id or text, which no check can tell) or is refused with DataLoss.
  int refused = 0;
  const size_t step = std::max<size_t>(1, good.size() / 400);
  for (size_t off = 0; off < good.size(); off += (off < 560 ? 1 : off < 1024 ? 61 : step)) {
    if (off >= kNgramChecksumOffset && off < kNgramChecksumOffset + 8) continue;
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0xff}}) {
      std::string bad = good;
      bad[off] ^= mask;
      Reseal(&bad);
      WriteAll(path, bad);
      auto seg = NgramSegment::Open(path);
      if (!seg.ok()) {
        EXPECT_EQ(seg.status().code(), absl::StatusCode::kDataLoss) << seg.status();
        ++refused;
        continue;
      }
      // Whatever opened must answer lookups inside its mapping.
      const NgramSegment& s = **seg;
      for (int n = kNgramMinN; n <= kNgramMaxN; ++n) {
        for (uint32_t slot = 0; slot < s.slots(n, 0); slot += 97) {
          for (uint32_t p : s.SlotAt(n, 0, slot)) ASSERT_LT(p, s.token_count());
        }
      }
    }
  }
  EXPECT_GT(refused, 100);
  std::filesystem::remove_all(dir);
}

TEST(NgramSegmentTest, StructuralDefectsAreNamed) {
  const std::string dir = TempDir("defects");
  const std::string path = dir + "/seg-3.ngm";
  SegmentData d = RandomSegment(12, 4);
  ASSERT_TRUE(WriteSegment(path, d, 1, 3).ok());
  const std::string good = ReadAll(path);
  auto seg = NgramSegment::Open(path);
  ASSERT_TRUE(seg.ok());
  const uint32_t token_count = (*seg)->token_count();
  // The last uint32 of the file is the last posting of the last table (n = 4, head 0).
  std::string bad = good;
  uint32_t past = token_count + 5;
  uint64_t count4 = 0;
  for (const auto& t : d.tokens) count4 += t.size() >= 4 ? t.size() - 3 : 0;
  ASSERT_GT(count4, 0u);
  std::memcpy(bad.data() + bad.size() - (count4 % 2 == 0 ? 4 : 8), &past, 4);
  Reseal(&bad);
  WriteAll(path, bad);
  auto refused = NgramSegment::Open(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(refused.status().message().find("table n=4 head=0"), std::string::npos)
      << refused.status();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace engram::repo_index
