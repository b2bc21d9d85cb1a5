// Corruption, leveldb style: a small valid file from the Writer, truncated at every offset and with
// every byte of its header / metadata / tensor-info region flipped. The reader must never crash or
// read out of bounds (these run under ASan + UBSan in CI); truncations must fail as DATA_LOSS; a
// corrupted file that still opens must satisfy every invariant Open() promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "kernels/ops.h"
#include "tests/unit/engine/gguf/gguf_test_util.h"

namespace engram::engine::gguf {
namespace {

// Touches everything an opened file exposes: every value through its getter, every tensor byte
// through the dequantizer. Returns a checksum so that nothing is optimised away.
double TouchEverything(const File& f) {
  double sum = 0;
  for (const std::string& key : f.keys()) {
    const Value* v = f.Find(key);
    EXPECT_NE(v, nullptr) << key;
    if (v == nullptr) continue;
    if (auto s = f.GetString(key); s.ok()) sum += static_cast<double>(s->size());
    if (auto i = f.GetInt64(key); i.ok()) sum += static_cast<double>(*i);
    if (auto a = f.GetStringArray(key); a.ok()) sum += static_cast<double>(a->size());
    if (auto a = f.GetIntArray(key); a.ok()) sum += static_cast<double>(a->size());
    if (auto a = f.GetFloatArray(key); a.ok()) sum += static_cast<double>(a->size());
  }
  std::vector<float> row;
  for (const TensorInfo& t : f.tensors()) {
    const int64_t n = t.dims[0];
    const int64_t row_bytes = kernels::RowBytes(t.type, n);
    EXPECT_GE(row_bytes, 0);
    EXPECT_EQ(static_cast<uint64_t>(row_bytes) * static_cast<uint64_t>(t.n_elements() / n),
              t.size_bytes);
    row.resize(static_cast<size_t>(n));
    for (int64_t r = 0; r < t.n_elements() / n; ++r) {
      kernels::DequantizeRow(t.type, f.TensorData(t) + r * row_bytes, row.data(), n);
      sum += row[0];
    }
  }
  return sum;
}

// The promises of Open(): tensors inside the file, aligned, not overlapping.
void ExpectInvariants(const File& f) {
  std::vector<const TensorInfo*> sorted;
  for (const TensorInfo& t : f.tensors()) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(sorted[i]->offset % f.alignment(), 0u);
    EXPECT_LE(sorted[i]->offset + sorted[i]->size_bytes, f.file_size());
    if (i > 0) {
      EXPECT_LE(sorted[i - 1]->offset + sorted[i - 1]->size_bytes, sorted[i]->offset);
    }
  }
}

class GgufCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = testing::SmallModelImage();
    ASSERT_FALSE(image_.empty());
    auto f = File::FromBuffer(image_, "valid.gguf");
    ASSERT_TRUE(f.ok()) << f.status();
    // The writer ends the file with the last tensor: the data section is what precedes it.
    uint64_t data_size = 0;
    for (const TensorInfo& t : (*f)->tensors())
      data_size = std::max(data_size, t.offset + t.size_bytes);
    meta_end_ = image_.size() - data_size;
    ASSERT_GT(meta_end_, 200u);
  }

  std::string image_;
  size_t meta_end_ = 0;  // end of header + metadata + tensor infos (+ padding)
};

TEST_F(GgufCorruption, EveryTruncationFailsAsDataLoss) {
  for (size_t cut = 0; cut < image_.size(); ++cut) {
    auto f = File::FromBuffer(image_.substr(0, cut), "cut.gguf");
    ASSERT_FALSE(f.ok()) << "truncated at " << cut;
    ASSERT_EQ(f.status().code(), absl::StatusCode::kDataLoss) << cut << ": " << f.status();
  }
}

TEST_F(GgufCorruption, EveryFlippedMetadataByteIsSafe) {
  int still_open = 0;
  for (size_t pos = 0; pos < meta_end_; ++pos) {
    for (uint8_t mask : {0x01, 0x02, 0x10, 0x40, 0x80, 0xFF}) {
      std::string bad = image_;
      bad[pos] = static_cast<char>(static_cast<uint8_t>(bad[pos]) ^ mask);
      auto f = File::FromBuffer(std::move(bad), "flip.gguf");
      if (!f.ok()) {
        EXPECT_TRUE(f.status().code() == absl::StatusCode::kDataLoss ||
                    f.status().code() == absl::StatusCode::kInvalidArgument)
            << f.status();
        continue;
      }
      ++still_open;
      ExpectInvariants(**f);
      TouchEverything(**f);
    }
  }
  // Flips inside string payloads, float values and padding leave a valid file.
  EXPECT_GT(still_open, 0);
}

TEST_F(GgufCorruption, RandomMutationsAreSafe) {
  std::mt19937 rng(20240601);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string bad = image_;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % (iter % 2 == 0 ? meta_end_ : bad.size());
      bad[pos] = static_cast<char>(rng());
    }
    if (iter % 5 == 0) bad.resize(rng() % bad.size());
    auto f = File::FromBuffer(std::move(bad), "mutated.gguf");
    if (!f.ok()) continue;
    ExpectInvariants(**f);
    TouchEverything(**f);
  }
}

}  // namespace
}  // namespace engram::engine::gguf
