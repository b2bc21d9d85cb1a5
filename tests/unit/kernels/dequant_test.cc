// DequantizeRowRef against hand-built blocks of every supported format, and the dispatched
// DequantizeRow against the reference (bit for bit, aligned and unaligned input).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dtype.h"
#include "kernels/ops.h"
#include "kernels/quant_blocks.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

template <typename Block>
std::vector<float> Dequantize(DType type, const Block& b, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  DequantizeRowRef(type, &b, out.data(), n);
  return out;
}

constexpr uint16_t kHalf = 0x3800;     // 0.5
constexpr uint16_t kOne = 0x3C00;      // 1.0
constexpr uint16_t kQuarter = 0x3400;  // 0.25
constexpr uint16_t kEighth = 0x3000;   // 0.125

TEST(DequantizeRef, Q4_0) {
  BlockQ4_0 b;
  b.d = kHalf;
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const auto y = Dequantize(DType::kQ4_0, b, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], (j - 8) * 0.5f) << j;
    EXPECT_EQ(y[j + 16], (15 - j - 8) * 0.5f) << j;
  }
}

TEST(DequantizeRef, Q4_1) {
  BlockQ4_1 b;
  b.d = kHalf;
  b.m = 0xBC00;  // -1
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const auto y = Dequantize(DType::kQ4_1, b, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], j * 0.5f - 1.0f) << j;
    EXPECT_EQ(y[j + 16], (15 - j) * 0.5f - 1.0f) << j;
  }
}

TEST(DequantizeRef, Q5_0AndQ5_1) {
  const uint32_t qh = 0xAAAA5A55u;  // bit j is the fifth bit of element j
  BlockQ5_0 b0;
  BlockQ5_1 b1;
  b0.d = kOne;
  b1.d = kHalf;
  b1.m = 0x4000;  // 2
  for (int k = 0; k < 4; ++k) b0.qh[k] = b1.qh[k] = static_cast<uint8_t>(qh >> (8 * k));
  for (int j = 0; j < 16; ++j) b0.qs[j] = b1.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const auto y0 = Dequantize(DType::kQ5_0, b0, 32);
  const auto y1 = Dequantize(DType::kQ5_1, b1, 32);
  for (int e = 0; e < 32; ++e) {
    const int low = e < 16 ? e : 15 - (e - 16);
    const int q = low | static_cast<int>(((qh >> e) & 1u) << 4);
    EXPECT_EQ(y0[e], static_cast<float>(q - 16)) << e;
    EXPECT_EQ(y1[e], q * 0.5f + 2.0f) << e;
  }
}

TEST(DequantizeRef, Q8_0AndQ8_1) {
  BlockQ8_0 b0;
  BlockQ8_1 b1;
  b0.d = b1.d = kQuarter;
  b1.s = 0x7C00;  // not used by dequantization
  for (int j = 0; j < 32; ++j) b0.qs[j] = b1.qs[j] = static_cast<int8_t>(j * 8 - 128);
  const auto y0 = Dequantize(DType::kQ8_0, b0, 32);
  const auto y1 = Dequantize(DType::kQ8_1, b1, 32);
  for (int j = 0; j < 32; ++j) {
    EXPECT_EQ(y0[j], (j * 8 - 128) * 0.25f) << j;
    EXPECT_EQ(y1[j], (j * 8 - 128) * 0.25f) << j;
  }
}

// Sub-block scales and mins chosen to use the high 2 bits of the packing.
constexpr uint8_t kScales[8] = {1, 2, 3, 4, 33, 47, 60, 63};
constexpr uint8_t kMins[8] = {0, 5, 10, 17, 20, 41, 55, 63};

TEST(DequantizeRef, Q4_K) {
  BlockQ4_K b;
  b.d = kOne;
  b.dmin = kHalf;
  PackScaleMinK4(kScales, kMins, b.scales);
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>(i * 7);
  const auto y = Dequantize(DType::kQ4_K, b, 256);
  for (int e = 0; e < 256; ++e) {
    const int j = e / 32, c = j / 2, l = e % 32;  // sub-block, 64-element chunk, index in sub-block
    const int q = j % 2 == 0 ? b.qs[32 * c + l] & 0xF : b.qs[32 * c + l] >> 4;
    EXPECT_EQ(y[e], 1.0f * kScales[j] * q - 0.5f * kMins[j]) << e;
  }
}

TEST(DequantizeRef, Q5_K) {
  BlockQ5_K b;
  b.d = kHalf;
  b.dmin = kQuarter;
  PackScaleMinK4(kScales, kMins, b.scales);
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>(i * 11);
  for (int i = 0; i < 32; ++i) b.qh[i] = static_cast<uint8_t>(i * 37);
  const auto y = Dequantize(DType::kQ5_K, b, 256);
  for (int e = 0; e < 256; ++e) {
    const int j = e / 32, c = j / 2, l = e % 32;
    const int low = j % 2 == 0 ? b.qs[32 * c + l] & 0xF : b.qs[32 * c + l] >> 4;
    const int q = low | (((b.qh[l] >> j) & 1) << 4);  // sub-block j takes bit j of qh[l]
    EXPECT_EQ(y[e], 0.5f * kScales[j] * q - 0.25f * kMins[j]) << e;
  }
}

TEST(DequantizeRef, Q6_K) {
  BlockQ6_K b;
  b.d = kEighth;
  for (int j = 0; j < 16; ++j) b.scales[j] = static_cast<int8_t>(j * 9 - 70);
  for (int i = 0; i < 128; ++i) b.ql[i] = static_cast<uint8_t>(i * 13);
  for (int i = 0; i < 64; ++i) b.qh[i] = static_cast<uint8_t>(i * 29);
  const auto y = Dequantize(DType::kQ6_K, b, 256);
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, k = (e % 128) / 32, l = e % 32;
    const uint8_t lbyte = b.ql[64 * h + l + 32 * (k & 1)];
    const int low = k < 2 ? lbyte & 0xF : lbyte >> 4;
    const int high = (b.qh[32 * h + l] >> (2 * k)) & 3;
    const int q = (low | (high << 4)) - 32;
    EXPECT_EQ(y[e], 0.125f * b.scales[e / 16] * q) << e;
  }
}

TEST(DequantizeRef, Q8_K) {
  BlockQ8_K b;
  b.d = 0.375f;
  for (int j = 0; j < 256; ++j) b.qs[j] = static_cast<int8_t>(j - 128);
  for (int j = 0; j < 16; ++j) b.bsums[j] = 0;
  const auto y = Dequantize(DType::kQ8_K, b, 256);
  for (int j = 0; j < 256; ++j) EXPECT_EQ(y[j], 0.375f * (j - 128)) << j;
}

TEST(DequantizeRef, PlainTypes) {
  float y[3];
  const uint16_t f16[3] = {0x3C00, 0xC000, 0x7BFF};
  DequantizeRowRef(DType::kF16, f16, y, 3);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], -2.0f);
  EXPECT_EQ(y[2], 65504.0f);
  const uint16_t bf16[3] = {0x3F80, 0xC040, 0x4049};
  DequantizeRowRef(DType::kBF16, bf16, y, 3);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], -3.0f);
  EXPECT_EQ(y[2], BitsFloat(0x40490000u));
  const float f32[3] = {1.5f, -0.0f, 3e38f};
  DequantizeRowRef(DType::kF32, f32, y, 3);
  EXPECT_EQ(std::memcmp(y, f32, sizeof y), 0);
  const double f64[3] = {0.1, -1e300, 2.5};
  DequantizeRowRef(DType::kF64, f64, y, 3);
  EXPECT_EQ(y[0], 0.1f);
  EXPECT_EQ(y[1], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(y[2], 2.5f);
  const int8_t i8[3] = {-128, 0, 127};
  DequantizeRowRef(DType::kI8, i8, y, 3);
  EXPECT_EQ(y[0], -128.0f);
  EXPECT_EQ(y[2], 127.0f);
  const int16_t i16[3] = {-32768, 7, 32767};
  DequantizeRowRef(DType::kI16, i16, y, 3);
  EXPECT_EQ(y[0], -32768.0f);
  EXPECT_EQ(y[1], 7.0f);
  const int32_t i32[3] = {-5, 16777216, 2};
  DequantizeRowRef(DType::kI32, i32, y, 3);
  EXPECT_EQ(y[0], -5.0f);
  EXPECT_EQ(y[1], 16777216.0f);
  const int64_t i64[3] = {-1, int64_t{1} << 40, 3};
  DequantizeRowRef(DType::kI64, i64, y, 3);
  EXPECT_EQ(y[0], -1.0f);
  EXPECT_EQ(y[1], 1099511627776.0f);
}

TEST(DequantizeRef, ZeroLengthTouchesNothing) {
  for (uint32_t id = 0; id < kDTypeIdLimit; ++id) {
    const auto t = static_cast<DType>(id);
    if (IsSupported(t)) DequantizeRowRef(t, nullptr, nullptr, 0);
  }
}

TEST(DequantizeRowDeathTest, PartialBlockIsAProgrammerError) {
  const std::string bytes(64, '\0');
  float y[48];
  EXPECT_DEATH(DequantizeRowRef(DType::kQ8_0, bytes.data(), y, 48), "bad type or length");
  EXPECT_DEATH(DequantizeRowRef(DType::kQ2_K, bytes.data(), y, 0), "bad type or length");
}

// Every supported type: the dispatched variant equals ref bit for bit on random bytes (NaNs
// included), from an aligned and from an odd address.
TEST(DequantizeRow, DispatchedMatchesRefOnRandomBytes) {
  std::mt19937 rng(11);
  for (uint32_t id = 0; id < kDTypeIdLimit; ++id) {
    const auto t = static_cast<DType>(id);
    if (!IsSupported(t)) continue;
    SCOPED_TRACE(std::string(DTypeName(t)));
    const int64_t n = BlockElems(t) * 3;
    const auto bytes = static_cast<size_t>(RowBytes(t, n));
    std::vector<uint8_t> buf(bytes + 1);
    for (auto& c : buf) c = static_cast<uint8_t>(rng());
    std::vector<float> expect(static_cast<size_t>(n)), got(expect.size()), odd(expect.size());
    DequantizeRowRef(t, buf.data(), expect.data(), n);
    DequantizeRow(t, buf.data(), got.data(), n);
    EXPECT_EQ(std::memcmp(expect.data(), got.data(), got.size() * sizeof(float)), 0);
    std::vector<uint8_t> shifted(buf.size());
    std::memcpy(shifted.data() + 1, buf.data(), bytes);
    DequantizeRow(t, shifted.data() + 1, odd.data(), n);
    EXPECT_EQ(std::memcmp(expect.data(), odd.data(), odd.size() * sizeof(float)), 0);
  }
}

}  // namespace
}  // namespace engram::kernels
