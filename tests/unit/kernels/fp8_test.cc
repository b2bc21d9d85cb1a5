#include "kernels/fp8.h"

#include <gtest/gtest.h>

#include <cmath>

namespace engram::kernels {
namespace {

// Hand-worked encodings of E4M3FN (bias 7).
TEST(Fp8E4M3, HandWorkedValuesDecodeAndEncodeBitExactly) {
  struct Case {
    uint8_t bits;
    float value;
  } cases[] = {
      {0x00, 0.0f},       {0x38, 1.0f},        // exp 7, mant 0
      {0x3C, 1.5f},       {0x40, 2.0f},        // exp 8
      {0x7E, 448.0f},     {0xFE, -448.0f},     // exp 15, mant 6: 1.75 * 2^8
      {0x08, 0.015625f},  {0x01, 0.001953125f},  // smallest normal 2^-6; smallest subnormal 2^-9
      {0x07, 7 * 0.001953125f}, {0xB8, -1.0f}, {0x3F, 1.875f},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Fp8E4M3ToFp32(c.bits), c.value) << int(c.bits);
    EXPECT_EQ(Fp32ToFp8E4M3(c.value), c.bits) << c.value;
  }
  EXPECT_TRUE(std::isnan(Fp8E4M3ToFp32(0x7F)));
  EXPECT_TRUE(std::isnan(Fp8E4M3ToFp32(0xFF)));
  EXPECT_EQ(Fp32ToFp8E4M3(std::nanf("")) & 0x7F, 0x7F);
}

TEST(Fp8E4M3, RoundsToNearestEvenAndSaturates) {
  EXPECT_EQ(Fp32ToFp8E4M3(1.0625f), 0x38);   // halfway between 1.0 (even) and 1.125: to 1.0
  EXPECT_EQ(Fp32ToFp8E4M3(1.1875f), 0x3A);   // halfway between 1.125 and 1.25 (even): to 1.25
  EXPECT_EQ(Fp32ToFp8E4M3(1.9375f), 0x40);   // halfway between 1.875 and 2.0 (even): carries into the exponent
  EXPECT_EQ(Fp32ToFp8E4M3(1000.0f), 0x7E);   // saturates, no infinity
  EXPECT_EQ(Fp32ToFp8E4M3(-1e30f), 0xFE);
  EXPECT_EQ(Fp32ToFp8E4M3(0.0009765625f), 0x00);  // 2^-10: halfway between 0 and 2^-9, to even 0
  EXPECT_EQ(Fp32ToFp8E4M3(-0.0f), 0x80);
}

TEST(Fp8E4M3, EveryFiniteCodeRoundTrips) {
  for (int b = 0; b < 256; ++b) {
    float v = Fp8E4M3ToFp32(static_cast<uint8_t>(b));
    if (std::isnan(v)) continue;
    EXPECT_EQ(Fp32ToFp8E4M3(v), b == 0x80 ? 0x80 : b) << b;
  }
}

}  // namespace
}  // namespace engram::kernels
