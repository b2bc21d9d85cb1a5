// kernels/quant_blocks.h: fp16 / bf16 conversions on edge values and exhaustively, scale packing.
#include "kernels/quant_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "kernels/dtype.h"

namespace engram::kernels {
namespace {

TEST(QuantBlocks, SizesMatchDTypeTable) {
  EXPECT_EQ(sizeof(BlockQ4_0), static_cast<size_t>(BlockBytes(DType::kQ4_0)));
  EXPECT_EQ(sizeof(BlockQ4_1), static_cast<size_t>(BlockBytes(DType::kQ4_1)));
  EXPECT_EQ(sizeof(BlockQ5_0), static_cast<size_t>(BlockBytes(DType::kQ5_0)));
  EXPECT_EQ(sizeof(BlockQ5_1), static_cast<size_t>(BlockBytes(DType::kQ5_1)));
  EXPECT_EQ(sizeof(BlockQ8_0), static_cast<size_t>(BlockBytes(DType::kQ8_0)));
  EXPECT_EQ(sizeof(BlockQ8_1), static_cast<size_t>(BlockBytes(DType::kQ8_1)));
  EXPECT_EQ(sizeof(BlockQ4_K), static_cast<size_t>(BlockBytes(DType::kQ4_K)));
  EXPECT_EQ(sizeof(BlockQ5_K), static_cast<size_t>(BlockBytes(DType::kQ5_K)));
  EXPECT_EQ(sizeof(BlockQ6_K), static_cast<size_t>(BlockBytes(DType::kQ6_K)));
  EXPECT_EQ(sizeof(BlockQ8_K), static_cast<size_t>(BlockBytes(DType::kQ8_K)));
}

TEST(Fp16, DecodesEdgeValues) {
  EXPECT_EQ(FloatBits(Fp16ToFp32(0x0000)), 0x00000000u);
  EXPECT_EQ(FloatBits(Fp16ToFp32(0x8000)), 0x80000000u);  // -0 keeps its sign
  EXPECT_EQ(Fp16ToFp32(0x3C00), 1.0f);
  EXPECT_EQ(Fp16ToFp32(0xC000), -2.0f);
  EXPECT_EQ(Fp16ToFp32(0x7BFF), 65504.0f);                  // largest finite
  EXPECT_EQ(Fp16ToFp32(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(Fp16ToFp32(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(Fp16ToFp32(0x03FF), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(Fp16ToFp32(0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(Fp16ToFp32(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(Fp16ToFp32(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(Fp16ToFp32(0x7E00)));
  EXPECT_TRUE(std::isnan(Fp16ToFp32(0x7C01)));  // signalling payload stays a NaN
}

TEST(Fp16, EncodesWithRoundToNearestEven) {
  EXPECT_EQ(Fp32ToFp16(0.0f), 0x0000);
  EXPECT_EQ(Fp32ToFp16(-0.0f), 0x8000);
  EXPECT_EQ(Fp32ToFp16(1.0f), 0x3C00);
  EXPECT_EQ(Fp32ToFp16(-2.0f), 0xC000);
  EXPECT_EQ(Fp32ToFp16(65504.0f), 0x7BFF);
  EXPECT_EQ(Fp32ToFp16(65519.996f), 0x7BFF);  // just below the halfway point to 65536
  EXPECT_EQ(Fp32ToFp16(65520.0f), 0x7C00);    // halfway: ties to even = infinity
  EXPECT_EQ(Fp32ToFp16(1e10f), 0x7C00);
  EXPECT_EQ(Fp32ToFp16(-1e10f), 0xFC00);
  EXPECT_EQ(Fp32ToFp16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(Fp32ToFp16(std::numeric_limits<float>::max()), 0x7C00);
  const uint16_t nan = Fp32ToFp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x03FF, 0);
  EXPECT_NE(Fp32ToFp16(BitsFloat(0x7F800001u)) & 0x03FF, 0);  // NaN with only low payload bits
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to the even mantissa (1).
  EXPECT_EQ(Fp32ToFp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(Fp32ToFp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_EQ(Fp32ToFp16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);
  // Subnormals, in units of 2^-24.
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -25)), 0x0000);     // half a unit: ties to even (0)
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.5f, -25)), 0x0001);     // 0.75 units
  EXPECT_EQ(Fp32ToFp16(std::ldexp(3.0f, -25)), 0x0002);     // 1.5 units: ties to even (2)
  EXPECT_EQ(Fp32ToFp16(std::ldexp(5.0f, -25)), 0x0002);     // 2.5 units: ties to even (2)
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the normals
  EXPECT_EQ(Fp32ToFp16(-std::ldexp(1.0f, -24)), 0x8001);
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(Fp32ToFp16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(Fp32ToFp16(-std::numeric_limits<float>::denorm_min()), 0x8000);
}

TEST(Fp16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float f = Fp16ToFp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(Fp16ToFp32(Fp32ToFp16(f)))) << h;
    } else {
      ASSERT_EQ(Fp32ToFp16(f), h) << h;
    }
  }
}

#if defined(__FLT16_MAX__)
// The compiler's own conversion (IEEE, round to nearest even) as an independent oracle.
TEST(Fp16, MatchesCompilerConversionOnRandomFloats) {
  std::mt19937 rng(7);
  for (int i = 0; i < 1000000; ++i) {
    uint32_t bits = rng();
    // Bias the exponent towards the fp16 range half of the time.
    if (i % 2 == 0) bits = (bits & 0x807FFFFFu) | ((100u + rng() % 50u) << 23);
    const float f = BitsFloat(bits);
    if (std::isnan(f)) continue;
    const _Float16 h = static_cast<_Float16>(f);
    uint16_t expect;
    std::memcpy(&expect, &h, sizeof expect);
    ASSERT_EQ(Fp32ToFp16(f), expect) << std::hex << bits;
    ASSERT_EQ(FloatBits(Fp16ToFp32(expect)), FloatBits(static_cast<float>(h))) << std::hex << bits;
  }
}
#endif

TEST(Bf16, EdgeValues) {
  EXPECT_EQ(Fp32ToBf16(1.0f), 0x3F80);
  EXPECT_EQ(Fp32ToBf16(-0.0f), 0x8000);
  EXPECT_EQ(Fp32ToBf16(BitsFloat(0x3F808000u)), 0x3F80);  // halfway, even mantissa stays
  EXPECT_EQ(Fp32ToBf16(BitsFloat(0x3F818000u)), 0x3F82);  // halfway, odd mantissa rounds up
  EXPECT_EQ(Fp32ToBf16(BitsFloat(0x3F808001u)), 0x3F81);  // just above halfway
  EXPECT_EQ(Fp32ToBf16(std::numeric_limits<float>::max()), 0x7F80);  // overflows to infinity
  EXPECT_EQ(Fp32ToBf16(-std::numeric_limits<float>::infinity()), 0xFF80);
  EXPECT_EQ(Fp32ToBf16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(Fp32ToBf16(BitsFloat(0x00018000u)), 0x0002);    // subnormals round like normals
  const uint16_t nan = Fp32ToBf16(BitsFloat(0x7F800001u));  // payload only in dropped bits
  EXPECT_TRUE(std::isnan(Bf16ToFp32(nan)));
  EXPECT_EQ(Bf16ToFp32(0x3F80), 1.0f);
  EXPECT_EQ(Bf16ToFp32(0xC040), -3.0f);
  EXPECT_EQ(FloatBits(Bf16ToFp32(0x0001)), 0x00010000u);
}

TEST(Bf16, EveryBf16RoundTrips) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float f = Bf16ToFp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(Bf16ToFp32(Fp32ToBf16(f)))) << h;
    } else {
      ASSERT_EQ(Fp32ToBf16(f), h) << h;
    }
  }
}

TEST(ScaleMinK4, PackUnpackRoundTrips) {
  std::mt19937 rng(3);
  for (int iter = 0; iter < 1000; ++iter) {
    uint8_t scale[8], min[8], packed[kKScaleBytes];
    for (int j = 0; j < 8; ++j) {
      scale[j] = static_cast<uint8_t>(rng() % 64);
      min[j] = static_cast<uint8_t>(rng() % 64);
    }
    if (iter == 0) {  // all bits set
      std::fill(scale, scale + 8, 63);
      std::fill(min, min + 8, 63);
    }
    PackScaleMinK4(scale, min, packed);
    for (int j = 0; j < 8; ++j) {
      uint8_t s, m;
      UnpackScaleMinK4(j, packed, &s, &m);
      ASSERT_EQ(s, scale[j]);
      ASSERT_EQ(m, min[j]);
    }
  }
}

}  // namespace
}  // namespace engram::kernels
