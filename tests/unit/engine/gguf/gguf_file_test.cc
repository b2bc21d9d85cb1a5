// engine/gguf/gguf_file.h: every validation error on hand-crafted images (code and message),
// Open() on paths, and every golden GGUF file opening with the expected contents.
#include "engine/gguf/gguf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "kernels/ops.h"
#include "nlohmann/json.hpp"
#include "support/file_util.h"
#include "tests/unit/engine/gguf/gguf_test_util.h"

namespace engram::engine::gguf {
namespace {

using kernels::DType;
using testing::GStr;
using ::testing::HasSubstr;
using testing::Kv;
using testing::LeU32;
using testing::LeU64;
using testing::RawFile;
using testing::RawTensor;

constexpr uint32_t kU8 = 0, kU32 = 4, kBool = 7, kString = 8, kArray = 9, kU64 = 10;

absl::Status Parse(const std::string& image) { return File::FromBuffer(image, "m.gguf").status(); }

void ExpectError(const std::string& image, absl::StatusCode code, const std::string& needle) {
  const absl::Status s = Parse(image);
  ASSERT_FALSE(s.ok()) << needle;
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("gguf: m.gguf: "));
  EXPECT_THAT(std::string(s.message()), HasSubstr(needle));
}

// A file with one f32 tensor 'w' of `dims` at `offset` (payload of `data_bytes`), given KVs.
std::string OneTensor(std::vector<uint64_t> dims, uint32_t type = 0, uint64_t offset = 0,
                      size_t data_bytes = 16, uint64_t n_kv = 0, const std::string& kvs = "",
                      uint64_t alignment = 32) {
  return RawFile(3, n_kv, kvs, {RawTensor{"w", std::move(dims), type, offset}},
                 std::string(data_bytes, '\x01'), alignment);
}

TEST(GgufFile, HandCraftedValidImage) {
  const std::string kvs =
      Kv("general.architecture", kString, GStr("deepseek2")) + Kv("n", kU32, LeU32(7));
  const std::string image = OneTensor({2, 2}, 0, 0, 16, 2, kvs);
  auto f = File::FromBuffer(image, "m.gguf");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->file_size(), image.size());
  EXPECT_EQ((*f)->alignment(), 32u);
  EXPECT_EQ(*(*f)->GetString("general.architecture"), "deepseek2");
  EXPECT_EQ(*(*f)->GetUint32("n"), 7u);
  const TensorInfo* t = (*f)->FindTensor("w");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->size_bytes, 16u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*f)->TensorData(*t)), t->size_bytes),
            std::string(16, '\x01'));
}

TEST(GgufFile, HeaderErrors) {
  ExpectError("", absl::StatusCode::kDataLoss, "truncated: file of 0 bytes has no gguf header");
  ExpectError("GGU", absl::StatusCode::kDataLoss, "has no gguf header");
  ExpectError("GGUX" + LeU32(3) + LeU64(0) + LeU64(0), absl::StatusCode::kInvalidArgument,
              "not a gguf file (magic bytes 47 47 55 58");
  ExpectError("GGUF" + LeU32(1) + LeU64(0) + LeU64(0), absl::StatusCode::kInvalidArgument,
              "gguf version 1 is not supported");
  ExpectError("GGUF" + LeU32(4) + LeU64(0) + LeU64(0), absl::StatusCode::kInvalidArgument,
              "unsupported gguf version 4");
  ExpectError("GGUF" + std::string("\0\0\0\3", 4) + LeU64(0) + LeU64(0),
              absl::StatusCode::kInvalidArgument, "big-endian");
  ExpectError("GGUF" + LeU32(3) + LeU64(0), absl::StatusCode::kDataLoss,
              "header metadata count at offset 0x10");
  EXPECT_TRUE(Parse("GGUF" + LeU32(2) + LeU64(0) + LeU64(0)).ok());
  EXPECT_TRUE(Parse("GGUF" + LeU32(3) + LeU64(0) + LeU64(0)).ok());
}

// Counts read from the file are checked against the bytes left before anything is allocated:
// these would need exabytes.
TEST(GgufFile, HugeCountsFailFastWithoutAllocating) {
  const auto start = std::chrono::steady_clock::now();
  ExpectError("GGUF" + LeU32(3) + LeU64(uint64_t{1} << 60) + LeU64(0) + std::string(64, '\0'),
              absl::StatusCode::kDataLoss, "header claims 1152921504606846976 tensors");
  ExpectError("GGUF" + LeU32(3) + LeU64(0) + LeU64(~uint64_t{0}), absl::StatusCode::kDataLoss,
              "header claims 18446744073709551615 metadata entries");
  ExpectError("GGUF" + LeU32(3) + LeU64(0) + LeU64(1) + LeU64(uint64_t{1} << 62) + "key" +
                  std::string(64, 'x'),
              absl::StatusCode::kDataLoss, "metadata entry 0 key of length 0x4000000000000000");
  ExpectError("GGUF" + LeU32(3) + LeU64(0) + LeU64(1) +
                  Kv("k", kArray, LeU32(kU64) + LeU64(uint64_t{1} << 61)),
              absl::StatusCode::kDataLoss,
              "key 'k' claims 2305843009213693952 elements of type u64");
  ExpectError("GGUF" + LeU32(3) + LeU64(0) + LeU64(1) +
                  Kv("k", kArray, LeU32(kString) + LeU64(uint64_t{1} << 40) + LeU64(0)),
              absl::StatusCode::kDataLoss, "claims 1099511627776 elements of type string");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

std::string OneKv(const std::string& kv) { return "GGUF" + LeU32(3) + LeU64(0) + LeU64(1) + kv; }

TEST(GgufFile, MetadataErrors) {
  ExpectError(OneKv(Kv("k", 13, LeU32(0))), absl::StatusCode::kInvalidArgument,
              "key 'k' has unknown value type 13");
  ExpectError(OneKv(Kv("k", kArray, LeU32(kArray) + LeU64(0))), absl::StatusCode::kInvalidArgument,
              "key 'k' is an array of arrays");
  ExpectError(OneKv(Kv("k", kArray, LeU32(99) + LeU64(0))), absl::StatusCode::kInvalidArgument,
              "key 'k' has array element type unknown (99)");
  ExpectError(OneKv(Kv("k", kBool, "\x02")), absl::StatusCode::kInvalidArgument,
              "key 'k' is a bool stored as 2");
  ExpectError(OneKv(Kv("k", kArray, LeU32(kBool) + LeU64(2) + "\x01\x03")),
              absl::StatusCode::kInvalidArgument, "key 'k' element 1 is a bool stored as 3");
  ExpectError(OneKv(Kv("", kU8, "\x01") + "pad"), absl::StatusCode::kInvalidArgument,
              "metadata entry 0 has an empty key");
  ExpectError(OneKv(Kv("k", kU32, "\x01")), absl::StatusCode::kDataLoss, "truncated: key 'k'");
  ExpectError("GGUF" + LeU32(3) + LeU64(0) + LeU64(2) + Kv("k", kU8, "\x01") + Kv("k", kU8, "\x02"),
              absl::StatusCode::kInvalidArgument, "duplicate key 'k'");
  ExpectError(OneKv(Kv("general.alignment", kU64, LeU64(32))), absl::StatusCode::kInvalidArgument,
              "key 'general.alignment' has type u64, expected u32");
  ExpectError(OneKv(Kv("general.alignment", kU32, LeU32(48))), absl::StatusCode::kInvalidArgument,
              "key 'general.alignment' is 48, not a power of two");
  ExpectError(OneKv(Kv("general.alignment", kU32, LeU32(0))), absl::StatusCode::kInvalidArgument,
              "is 0, not a power of two");
}

TEST(GgufFile, TensorInfoErrors) {
  ExpectError(OneTensor({}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has 0 dimensions (1 to 4 allowed)");
  ExpectError(OneTensor({1, 1, 1, 1, 1}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has 5 dimensions");
  ExpectError(OneTensor({4, 0}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has dimension 1 of size 0 (must be 1 to 2^63 - 1)");
  ExpectError(OneTensor({~uint64_t{0}}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has dimension 0 of size 18446744073709551615");
  ExpectError(OneTensor({uint64_t{1} << 40, uint64_t{1} << 30}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has more than 2^63 elements");
  ExpectError(OneTensor({uint64_t{1} << 62, 1}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' is larger than 2^63 bytes");
  ExpectError(OneTensor({4}, 99), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has unknown type id 99");
  ExpectError(OneTensor({4}, 4), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has unknown type id 4");
  ExpectError(OneTensor({256}, 10), absl::StatusCode::kInvalidArgument,
              "tensor 'w' has unsupported type q2_K (10)");
  ExpectError(OneTensor({33}, 8), absl::StatusCode::kInvalidArgument,
              "tensor 'w': row of 33 elements is not a whole number of q8_0 blocks of 32");
  ExpectError(OneTensor({4}, 0, 4), absl::StatusCode::kInvalidArgument,
              "tensor 'w' offset 0x4 is not a multiple of the alignment 32");
  ExpectError(OneTensor({4}, 0, 0, 15), absl::StatusCode::kDataLoss,
              "tensor 'w' ends past end of file (offset 0x0, size 0x10, data section 0xf bytes)");
  ExpectError(OneTensor({4}, 0, uint64_t{1} << 63), absl::StatusCode::kDataLoss,
              "tensor 'w' ends past end of file (offset 0x8000000000000000");
  ExpectError(RawFile(3, 0, "", {RawTensor{"", {1}, 0, 0}}, "1234"),
              absl::StatusCode::kInvalidArgument, "tensor info 0 has an empty name");
  ExpectError(RawFile(3, 0, "", {RawTensor{"a", {1}, 0, 0}, RawTensor{"a", {1}, 0, 32}},
                      std::string(36, '\0')),
              absl::StatusCode::kInvalidArgument, "duplicate tensor 'a'");
  ExpectError(RawFile(3, 0, "", {RawTensor{"a", {16}, 0, 0}, RawTensor{"b", {1}, 0, 32}},
                      std::string(64, '\0')),
              absl::StatusCode::kInvalidArgument,
              "tensors 'a' (offset 0x0, size 0x40) and 'b' (offset 0x20) overlap");
  ExpectError(OneTensor({uint64_t{1} << 60, 4}), absl::StatusCode::kInvalidArgument,
              "tensor 'w' is larger than 2^63 bytes");
  // A file that ends right after its tensor infos (57 bytes): the data section would start at 64.
  ExpectError(RawFile(3, 0, "", {RawTensor{"w", {1}, 0, 0}}, "").substr(0, 57),
              absl::StatusCode::kDataLoss, "data section at 0x40 starts past end of file");
}

TEST(GgufFile, AlignmentKeyGovernsOffsets) {
  const std::string kvs = Kv("general.alignment", kU32, LeU32(8));
  EXPECT_TRUE(Parse(OneTensor({4}, 0, 8, 24, 1, kvs, 8)).ok());
  ExpectError(OneTensor({4}, 0, 4, 24, 1, kvs, 8), absl::StatusCode::kInvalidArgument,
              "not a multiple of the alignment 8");
  const std::string one = Kv("general.alignment", kU32, LeU32(1));
  auto f = File::FromBuffer(OneTensor({4}, 0, 3, 19, 1, one, 1), "m.gguf");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->alignment(), 1u);
  EXPECT_EQ((*f)->tensors()[0].offset, 3u);
}

TEST(GgufFile, ZeroTensorsNeedNoDataSection) {
  auto f = File::FromBuffer(OneKv(Kv("k", kString, GStr("v"))), "m.gguf");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->tensors().empty());
  EXPECT_EQ((*f)->keys(), std::vector<std::string>{"k"});
}

TEST(GgufFile, OpenErrors) {
  auto missing = File::Open("/nonexistent/dir/m.gguf");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/nonexistent/dir/m.gguf"));
  EXPECT_EQ(File::Open(::testing::TempDir()).status().code(), absl::StatusCode::kInvalidArgument);
  const std::string empty = ::testing::TempDir() + "/gguf_empty_" + std::to_string(::getpid());
  ASSERT_TRUE(WriteFileAtomically(empty, "").ok());
  auto e = File::Open(empty);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(e.status().message(),
            "gguf: " + empty + ": truncated: file of 0 bytes has no gguf header");
  std::filesystem::remove(empty);
}

// ---- the golden files made by llama.cpp's converter and quantizer
// --------------------------------

std::string Golden(const std::string& rel) { return std::string(ENGRAM_GOLDEN_DIR) + "/" + rel; }

std::map<std::string, int> TypeCounts(const File& f) {
  std::map<std::string, int> counts;
  for (const TensorInfo& t : f.tensors()) ++counts[std::string(kernels::DTypeName(t.type))];
  return counts;
}

TEST(GgufGoldenFiles, EveryGoldenFileOpensAndItsTensorsDequantizeToFiniteValues) {
  int opened = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ENGRAM_GOLDEN_DIR)) {
    if (e.path().extension() != ".gguf") continue;
    SCOPED_TRACE(e.path().string());
    auto f = File::Open(e.path().string());
    ASSERT_TRUE(f.ok()) << f.status();
    ++opened;
    EXPECT_EQ((*f)->version(), 3u);
    EXPECT_TRUE((*f)->Has("general.architecture") || (*f)->Has("tokenizer.ggml.model"));
    std::vector<float> row;
    for (const TensorInfo& t : (*f)->tensors()) {
      const int64_t n = t.dims[0];
      const int64_t rows = t.n_elements() / n;
      const int64_t row_bytes = kernels::RowBytes(t.type, n);
      row.resize(static_cast<size_t>(n));
      int64_t not_finite = 0;
      // The first and the last row (its last byte is the tensor's last byte); all rows of the
      // quantized tensors are compared with golden values in gguf_golden_dequant_test.cc.
      for (int64_t r : {int64_t{0}, rows - 1}) {
        kernels::DequantizeRow(t.type, (*f)->TensorData(t) + r * row_bytes, row.data(), n);
        for (float v : row) not_finite += std::isfinite(v) ? 0 : 1;
      }
      EXPECT_EQ(not_finite, 0) << t.name;
    }
  }
  EXPECT_EQ(opened, 12);
}

TEST(GgufGoldenFiles, Deepseek2TinyModels) {
  auto f32 = File::Open(Golden("deepseek2/tiny-f32.gguf"));
  ASSERT_TRUE(f32.ok()) << f32.status();
  EXPECT_EQ(*(*f32)->GetString("general.architecture"), "deepseek2");
  EXPECT_EQ(*(*f32)->GetUint32("deepseek2.block_count"), 3u);
  EXPECT_EQ(*(*f32)->GetUint32("deepseek2.embedding_length"), 128u);
  EXPECT_EQ(*(*f32)->GetString("tokenizer.ggml.pre"), "deepseek-v3");
  EXPECT_EQ((*f32)->GetStringArray("tokenizer.ggml.tokens")->size(), 512u);
  EXPECT_EQ(TypeCounts(**f32), (std::map<std::string, int>{{"f32", 52}}));
  const TensorInfo* embd = (*f32)->FindTensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->dims, (std::vector<int64_t>{128, 512}));
  auto q8 = File::Open(Golden("deepseek2/tiny-q8_0.gguf"));
  ASSERT_TRUE(q8.ok()) << q8.status();
  EXPECT_EQ(TypeCounts(**q8), (std::map<std::string, int>{{"f32", 17}, {"q8_0", 35}}));
  auto k4 = File::Open(Golden("deepseek2/kquants/small-q4_k_m.gguf"));
  ASSERT_TRUE(k4.ok()) << k4.status();
  EXPECT_EQ(TypeCounts(**k4),
            (std::map<std::string, int>{
                {"f32", 17}, {"q4_K", 26}, {"q5_0", 3}, {"q5_K", 3}, {"q6_K", 3}}));
}

// deepseek4 sidecars list every tensor with its ggml dims and type: they must agree with the file.
TEST(GgufGoldenFiles, Deepseek4TensorsMatchTheirSidecars) {
  for (const char* name : {"tiny-f32", "tiny-bf16", "tiny-smooth-f32"}) {
    SCOPED_TRACE(name);
    auto f = File::Open(Golden(std::string("deepseek4/") + name + ".gguf"));
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(*(*f)->GetString("general.architecture"), "deepseek4");
    auto text = ReadFile(Golden(std::string("deepseek4/") + name + ".json"));
    ASSERT_TRUE(text.ok());
    const nlohmann::json sidecar = nlohmann::json::parse(*text);
    ASSERT_EQ((*f)->tensors().size(), sidecar["tensors"].size());
    for (const auto& t : sidecar["tensors"]) {
      const TensorInfo* info = (*f)->FindTensor(t["name"].get<std::string>());
      ASSERT_NE(info, nullptr) << t["name"];
      EXPECT_EQ(info->dims, t["ggml_ne"].get<std::vector<int64_t>>()) << info->name;
      EXPECT_EQ(kernels::DTypeFromName(t["type"].get<std::string>()), info->type) << info->name;
    }
  }
}

TEST(GgufGoldenFiles, VocabularyFiles) {
  for (const char* name : {"ggml-vocab-deepseek-coder.gguf", "ggml-vocab-deepseek-llm.gguf"}) {
    SCOPED_TRACE(name);
    auto f = File::Open(Golden(std::string("tokenizer/") + name));
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_TRUE((*f)->tensors().empty());
    EXPECT_EQ(*(*f)->GetString("tokenizer.ggml.model"), "gpt2");
    auto tokens = (*f)->GetStringArray("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens.ok());
    EXPECT_GT(tokens->size(), 30000u);
    auto merges = (*f)->GetStringArray("tokenizer.ggml.merges");
    ASSERT_TRUE(merges.ok());
    EXPECT_GT(merges->size(), 1000u);
    auto types = (*f)->GetIntArray("tokenizer.ggml.token_type");
    ASSERT_TRUE(types.ok());
    EXPECT_EQ(types->size(), tokens->size());
  }
}

}  // namespace
}  // namespace engram::engine::gguf

namespace engram::engine::gguf {
namespace {

// The committed fuzz seeds (tests/fuzz/make_gguf_corpus.cc): those named valid-* open, every other
// one is refused.
TEST(GgufFuzzSeeds, ValidSeedsOpenAndBrokenSeedsAreRefused) {
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(ENGRAM_SOURCE_DIR) +
                                                           "/tests/fuzz/corpus/gguf")) {
    const std::string name = e.path().filename().string();
    SCOPED_TRACE(name);
    auto f = File::Open(e.path().string());
    EXPECT_EQ(f.ok(), name.rfind("valid-", 0) == 0) << f.status();
    ++seen;
  }
  EXPECT_GE(seen, 40);
}

}  // namespace
}  // namespace engram::engine::gguf
