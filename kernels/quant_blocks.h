// Block layouts of the quantized formats, and bit-exact fp16 / bf16 <-> fp32 conversions.
//
// A quantized row of n elements is n / kBlockElems consecutive blocks, packed with no padding
// (the structs below have exactly the sizes of kernels/dtype.h). fp16 fields hold IEEE binary16
// bits. Blocks inside a mapped file may be only 1-byte aligned: copy a block out with memcpy
// before reading its fields.
//
//   BlockQ8_0 b;
//   std::memcpy(&b, row_bytes + i * sizeof(BlockQ8_0), sizeof b);
//   float x0 = Fp16ToFp32(b.d) * b.qs[0];
//
// Conversions: Fp32ToFp16 / Fp32ToBf16 round to nearest, ties to even; values past the largest
// finite value become infinities, NaNs stay NaNs (quiet), fp16 subnormals are produced and read
// exactly. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <cstring>

namespace engram::kernels {

inline constexpr int kQK = 32;           // elements per block of the 32-element formats
inline constexpr int kQK_K = 256;        // elements per super-block of the k-quants
inline constexpr int kKScaleBytes = 12;  // packed 6-bit scales and mins of q4_K / q5_K

// Q4_0: x = d * (q - 8), q in [0, 15]. qs[j] holds element j (low nibble) and j + 16 (high nibble).
struct BlockQ4_0 {
  uint16_t d;  // fp16
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4_0) == 18);

// Q4_1: x = d * q + m, q in [0, 15], nibbles as Q4_0.
struct BlockQ4_1 {
  uint16_t d;  // fp16
  uint16_t m;  // fp16
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4_1) == 20);

// Q5_0: x = d * (q - 16), q in [0, 31]: low 4 bits as Q4_0, bit 4 of element j is bit j of qh
// (read as a little-endian uint32).
struct BlockQ5_0 {
  uint16_t d;  // fp16
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ5_0) == 22);

// Q5_1: x = d * q + m, bits as Q5_0.
struct BlockQ5_1 {
  uint16_t d;  // fp16
  uint16_t m;  // fp16
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ5_1) == 24);

// Q8_0: x = d * q.
struct BlockQ8_0 {
  uint16_t d;  // fp16
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_0) == 34);

// Q8_1: x = d * q; s = d * sum(q) (used by dot products, not by dequantization).
struct BlockQ8_1 {
  uint16_t d;  // fp16
  uint16_t s;  // fp16
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_1) == 36);

// Q4_K: 8 sub-blocks of 32. Sub-block j: x = d * sc[j] * q - dmin * m[j], q in [0, 15], with 6-bit
// sc / m packed in `scales` (see UnpackScaleMinK4). Each 64-element chunk c uses qs[32c .. 32c+31]:
// low nibbles are sub-block 2c, high nibbles sub-block 2c + 1.
struct BlockQ4_K {
  uint16_t d;     // fp16
  uint16_t dmin;  // fp16
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

// Q5_K: as Q4_K with q in [0, 31]; bit 4 of element l of sub-block 2c (2c + 1) is bit 2c (2c + 1)
// of qh[l].
struct BlockQ5_K {
  uint16_t d;     // fp16
  uint16_t dmin;  // fp16
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

// Q6_K: 16 sub-blocks of 16, x = d * scales[j] * (q - 32), q in [0, 63]. Each half h (128
// elements) uses ql[64h ..], qh[32h ..]: for l < 32, element 32k + l of the half takes its low
// 4 bits from ql[64h + l + 32 * (k & 1)] (low nibble for k < 2, high for k >= 2) and its top
// 2 bits from bits 2k..2k+1 of qh[32h + l].
struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;  // fp16
};
static_assert(sizeof(BlockQ6_K) == 210);

// Q8_K: x = d * q; bsums[j] = sum of qs[16j .. 16j+15] (used by dot products).
struct BlockQ8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(BlockQ8_K) == 292);

// Sub-block j (0..7) of a q4_K / q5_K `scales` array: its 6-bit scale and min. Bytes 0..3 hold
// the scales of 0..3 in their low 6 bits, bytes 4..7 the mins of 0..3; bytes 8..11 hold the low
// 4 bits of scale (low nibble) and min (high nibble) of 4..7, whose top 2 bits sit in the top
// 2 bits of bytes 0..3 (scales) and 4..7 (mins).
inline void UnpackScaleMinK4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Inverse of UnpackScaleMinK4 for all 8 sub-blocks; scale[j], min[j] < 64.
inline void PackScaleMinK4(const uint8_t* scale, const uint8_t* min, uint8_t* q) {
  for (int j = 0; j < kKScaleBytes; ++j) q[j] = 0;
  for (int j = 0; j < 4; ++j) {
    q[j] = scale[j];
    q[j + 4] = min[j];
  }
  for (int j = 4; j < 8; ++j) {
    q[j + 4] = static_cast<uint8_t>((scale[j] & 0xF) | ((min[j] & 0xF) << 4));
    q[j - 4] |= static_cast<uint8_t>((scale[j] >> 4) << 6);
    q[j] |= static_cast<uint8_t>((min[j] >> 4) << 6);
  }
}

inline uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline float Fp16ToFp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FF;
  if (exp == 0x1F) return BitsFloat(sign | 0x7F800000u | (mant << 13));  // inf / NaN (payload kept)
  if (exp != 0) return BitsFloat(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0) return BitsFloat(sign);
  // Subnormal: mant * 2^-24, exact in fp32.
  const float magnitude = static_cast<float>(mant) * BitsFloat(0x33800000u);  // 2^-24
  return sign != 0 ? -magnitude : magnitude;
}

inline uint16_t Fp32ToFp16(float f) {
  const uint32_t x = FloatBits(f);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t abs = x & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) {  // NaN: quiet, top payload bits kept
    return static_cast<uint16_t>(sign | 0x7E00 | ((abs >> 13) & 0x3FF));
  }
  if (abs >= 0x38800000u) {  // fp16 normal range or overflow (>= 2^-14)
    // Rebias the exponent (127 -> 15) and round the 13 dropped bits to nearest even; a carry out
    // of the mantissa correctly bumps the exponent, up to infinity.
    const uint32_t rounded = (abs - (112u << 23) + 0xFFFu + ((abs >> 13) & 1u)) >> 13;
    return static_cast<uint16_t>(sign | (rounded >= 0x7C00u ? 0x7C00u : rounded));
  }
  // fp16 subnormal or zero: the value in units of 2^-24 is m * 2^(e - 126) for the fp32 mantissa m
  // (implicit bit included) and biased exponent e <= 112; shift right by 126 - e with rounding.
  const uint32_t e = abs >> 23;
  const int shift = 126 - static_cast<int>(e);
  if (shift > 24) return sign;  // below 2^-25: rounds to zero
  const uint32_t m = (abs & 0x7FFFFFu) | 0x800000u;
  uint32_t q = m >> shift;
  const uint32_t rem = m & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u) != 0)) ++q;  // q may carry into the smallest normal
  return static_cast<uint16_t>(sign | q);
}

inline float Bf16ToFp32(uint16_t h) { return BitsFloat(static_cast<uint32_t>(h) << 16); }

inline uint16_t Fp32ToBf16(float f) {
  const uint32_t x = FloatBits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<uint16_t>((x >> 16) | 0x0040);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace engram::kernels
