// QuantizeRowRef: bit-exact packing of hand-worked blocks, and for every supported type a
// quantize -> dequantize round trip within the error bound that its rule guarantees.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/dtype.h"
#include "kernels/quant_blocks.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

std::vector<uint8_t> Quantize(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> out(static_cast<size_t>(RowBytes(t, static_cast<int64_t>(x.size()))));
  QuantizeRowRef(t, x.data(), out.data(), static_cast<int64_t>(x.size()));
  return out;
}

std::vector<float> RoundTrip(DType t, const std::vector<float>& x) {
  const auto q = Quantize(t, x);
  std::vector<float> y(x.size());
  DequantizeRowRef(t, q.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

// Q8_0 worked by hand: amax = 7.9375 gives d = 7.9375 / 127 = 1/16 exactly (fp16 0x2C00) and
// 1/d = 16, so q = roundf(16 x) with ties away from zero, as ggml's reference rounds.
TEST(QuantizeRef, Q8_0HandWorkedBlockBitForBit) {
  std::vector<float> x(32, 0.0f);
  x[0] = 7.9375f;    // 127
  x[1] = -7.9375f;   // -127
  x[2] = 0.03f;      // 0.48 -> 0
  x[3] = 0.032f;     // 0.512 -> 1
  x[4] = -1.0f;      // -16
  x[5] = 0.5f;       // 8
  x[6] = 0.15625f;   // 2.5 -> 3 (away from zero)
  x[7] = -0.15625f;  // -2.5 -> -3
  x[31] = 0.09375f;  // 1.5 -> 2
  std::vector<uint8_t> expect(34, 0);
  expect[0] = 0x00;  // d = 0x2C00, little-endian
  expect[1] = 0x2C;
  const int8_t q[] = {127, -127, 0, 1, -16, 8, 3, -3};
  for (int j = 0; j < 8; ++j) expect[2 + j] = static_cast<uint8_t>(q[j]);
  expect[2 + 31] = 2;
  EXPECT_EQ(Quantize(DType::kQ8_0, x), expect);
}

// Q4_0 by hand: the signed max is -8, so d = -8 / -8 = 1 and q = min(15, trunc(x + 8.5)).
TEST(QuantizeRef, Q4_0HandWorkedBlock) {
  std::vector<float> x(32, 0.0f);
  x[0] = -8.0f;  // 0
  x[1] = 7.0f;   // 15
  x[2] = 2.4f;   // 10
  x[3] = -2.6f;  // 5
  x[16] = 1.0f;  // 9, high nibble of byte 0
  const auto got = Quantize(DType::kQ4_0, x);
  EXPECT_EQ(got[0], 0x00);  // d = 1.0 = 0x3C00
  EXPECT_EQ(got[1], 0x3C);
  EXPECT_EQ(got[2 + 0], 0x00 | (9 << 4));
  EXPECT_EQ(got[2 + 1], 15 | (8 << 4));
  EXPECT_EQ(got[2 + 2], 10 | (8 << 4));
  EXPECT_EQ(got[2 + 3], 5 | (8 << 4));
}

TEST(QuantizeRef, Q8_1StoresTheScaledSum) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 5) - 1.0f;  // amax 3
  const auto q = Quantize(DType::kQ8_1, x);
  BlockQ8_1 b;
  std::memcpy(&b, q.data(), sizeof b);
  int sum = 0;
  for (int j = 0; j < 32; ++j) sum += b.qs[j];
  EXPECT_EQ(b.s, Fp32ToFp16(3.0f / 127.0f * static_cast<float>(sum)));
}

TEST(QuantizeRef, Q8_KBlockSums) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  std::vector<float> x(256);
  for (auto& v : x) v = dist(rng);
  const auto q = Quantize(DType::kQ8_K, x);
  BlockQ8_K b;
  std::memcpy(&b, q.data(), sizeof b);
  for (int j = 0; j < 16; ++j) {
    int sum = 0;
    for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
    EXPECT_EQ(b.bsums[j], sum) << j;
  }
}

// Inputs: a few distributions, so that blocks are symmetric, all positive, all negative, spiky.
std::vector<std::vector<float>> Inputs(int64_t n) {
  std::mt19937 rng(1234);
  std::vector<std::vector<float>> out;
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  std::normal_distribution<float> gauss(0.0f, 2.0f);
  std::uniform_real_distribution<float> pos(2.0f, 3.0f);
  std::vector<float> a(n), b(n), c(n), d(n), e(n, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    a[i] = uni(rng);
    b[i] = gauss(rng);
    c[i] = pos(rng);
    d[i] = -pos(rng) * (i % 97 == 0 ? 40.0f : 1.0f);
  }
  out = {a, b, c, d, e};
  return out;
}

struct BlockStats {
  float amax = 0, min = 0, max = 0;
};

BlockStats Stats(const float* x, int64_t n) {
  BlockStats s{0.0f, x[0], x[0]};
  for (int64_t i = 0; i < n; ++i) {
    s.amax = std::max(s.amax, std::fabs(x[i]));
    s.min = std::min(s.min, x[i]);
    s.max = std::max(s.max, x[i]);
  }
  return s;
}

// Largest error each rule allows for an element of a block with these stats (see ref.h for the
// rules). "fp16" terms cover a scale stored as fp16 (relative error <= 2^-11).
float Bound(DType t, const BlockStats& s, float x) {
  const float range = s.max - s.min;
  const float r_k = std::max(0.0f, s.max) - std::min(0.0f, s.min);  // k-quant grid range
  switch (t) {
    case DType::kF32:
    case DType::kF64:
    case DType::kI8:
    case DType::kI16:
    case DType::kI32:
    case DType::kI64:
      return 0.0f;  // exact (integer inputs for the i types)
    case DType::kF16:
      return std::fabs(x) * 0x1p-11f;  // half an ulp of an 11-bit significand
    case DType::kBF16:
      return std::fabs(x) * 0x1p-8f;  // half an ulp of an 8-bit significand
    // Half a step d / 2 = amax / 254, plus 127 steps of the fp16 rounding of d.
    case DType::kQ8_0:
    case DType::kQ8_1:
      return s.amax / 254.0f + s.amax * 0x1p-11f;
    // The level opposite the signed max (+8 / +16) is clamped: one full step there.
    case DType::kQ4_0:
      return s.amax / 8.0f + s.amax * 0x1p-11f;
    case DType::kQ5_0:
      return s.amax / 16.0f + s.amax * 0x1p-11f;
    // Half a step, plus the fp16 rounding of m and of 15 (31) steps of d at the ends.
    case DType::kQ4_1:
      return range / 30.0f * 1.001f + (std::fabs(s.min) + range) * 0x1p-11f;
    case DType::kQ5_1:
      return range / 62.0f * 1.001f + (std::fabs(s.min) + range) * 0x1p-11f;
    // Half a step of the sub-block grid; the step is at most R / 15 (31) widened by the rounded-up
    // 6-bit min and scale (two factors (1 + 1/62)): 0.5 * 1.0325 < 0.52.
    case DType::kQ4_K:
      return 0.52f * r_k / 15.0f;
    case DType::kQ5_K:
      return 0.52f * r_k / 31.0f;
    // Half a step amax / 31 widened by the rounded-up 8-bit scale (1 + 1/126).
    case DType::kQ6_K:
      return 0.51f * s.amax / 31.0f;
    case DType::kQ8_K:
      return s.amax / 254.0f * 1.0001f;
    default:
      return 0.0f;
  }
}

class QuantizeRoundTrip : public ::testing::TestWithParam<DType> {};

TEST_P(QuantizeRoundTrip, ErrorWithinTheRulesBound) {
  const DType t = GetParam();
  const bool integer = t == DType::kI8 || t == DType::kI16 || t == DType::kI32 || t == DType::kI64;
  const int64_t block = BlockElems(t) == 1 ? 64 : BlockElems(t);  // stats per quantization block
  const int64_t n = block * 8;
  for (std::vector<float> x : Inputs(n)) {
    if (integer) {
      for (auto& v : x) v = std::clamp(std::round(v * 20.0f), -128.0f, 127.0f);  // fits i8
    }
    const auto y = RoundTrip(t, x);
    for (int64_t b = 0; b < n / block; ++b) {
      const BlockStats s = Stats(x.data() + b * block, block);
      for (int64_t i = b * block; i < (b + 1) * block; ++i) {
        const float err = std::fabs(y[i] - x[i]);
        // 1e-6 relative slack for the float arithmetic of the dequantizer itself.
        ASSERT_LE(err, Bound(t, s, x[i]) + 1e-6f * std::fabs(x[i]))
            << DTypeName(t) << " element " << i << " x " << x[i] << " y " << y[i];
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllSupported, QuantizeRoundTrip,
                         ::testing::Values(DType::kF32, DType::kF16, DType::kBF16, DType::kF64,
                                           DType::kI8, DType::kI16, DType::kI32, DType::kI64,
                                           DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                                           DType::kQ8_0, DType::kQ8_1, DType::kQ4_K, DType::kQ5_K,
                                           DType::kQ6_K, DType::kQ8_K),
                         [](const ::testing::TestParamInfo<DType>& param_info) {
                           return std::string(DTypeName(param_info.param));
                         });

TEST(QuantizeRef, EveryQuantizerIsCoveredByTheRoundTripTest) {
  int supported = 0;
  for (uint32_t id = 0; id < kDTypeIdLimit; ++id) supported += IsSupported(static_cast<DType>(id));
  EXPECT_EQ(supported, 18);  // the Values() list above
}

TEST(QuantizeRef, IntegerTypesSaturate) {
  const std::vector<float> x = {1e10f, -1e10f, 2.5f, -2.5f, std::nanf("")};
  std::vector<int8_t> q8(5);
  QuantizeRowRef(DType::kI8, x.data(), q8.data(), 5);
  EXPECT_EQ(q8, (std::vector<int8_t>{127, -128, 3, -3, 0}));
  std::vector<int64_t> q64(5);
  QuantizeRowRef(DType::kI64, x.data(), q64.data(), 5);
  EXPECT_EQ(q64[0], 10000000000);
  const float huge = 1e30f;
  QuantizeRowRef(DType::kI64, &huge, q64.data(), 1);
  EXPECT_EQ(q64[0], std::numeric_limits<int64_t>::max());
}

// A row of zeros stays zeros (no 0/0 in the scale computations).
TEST(QuantizeRef, ZerosStayZeros) {
  for (uint32_t id = 0; id < kDTypeIdLimit; ++id) {
    const auto t = static_cast<DType>(id);
    if (!IsSupported(t)) continue;
    const std::vector<float> x(static_cast<size_t>(BlockElems(t) * 2), 0.0f);
    for (float v : RoundTrip(t, x)) ASSERT_EQ(v, 0.0f) << DTypeName(t);
  }
}

}  // namespace
}  // namespace engram::kernels
