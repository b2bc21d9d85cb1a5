// FP8 E4M3 (the OCP "E4M3FN" variant used by DeepSeek checkpoints and KV caches): 1 sign bit, 4
// exponent bits (bias 7), 3 mantissa bits; no infinities; S.1111.111 is NaN; largest finite 448;
// subnormals m * 2^-9. Conversions are exact (decode) and round to nearest even, saturating to
// +-448 (encode). Pure functions; thread-safe.
#pragma once

#include <cmath>
#include <cstdint>

namespace engram::kernels {

inline constexpr float kFp8E4M3Max = 448.0f;

inline float Fp8E4M3ToFp32(uint8_t b) {
  const float sign = (b & 0x80) != 0 ? -1.0f : 1.0f;
  const int exp = (b >> 3) & 0xF;
  const int mant = b & 0x7;
  if (exp == 0xF && mant == 0x7) return std::nanf("");
  if (exp == 0) return sign * std::ldexp(static_cast<float>(mant), -9);
  return sign * std::ldexp(1.0f + static_cast<float>(mant) / 8.0f, exp - 7);
}

inline uint8_t Fp32ToFp8E4M3(float f) {
  const uint8_t sign = std::signbit(f) ? 0x80 : 0x00;
  const float a = std::fabs(f);
  if (std::isnan(f)) return sign | 0x7F;
  if (a >= kFp8E4M3Max) return sign | 0x7E;  // saturate (no infinity in E4M3FN)
  if (a < 0.015625f) {                        // below the smallest normal 2^-6: subnormal grid 2^-9
    // q in 0..8; 8 is exactly the smallest normal, whose encoding (exp 1, mant 0) is also 8.
    return sign | static_cast<uint8_t>(std::nearbyint(a * 512.0f));
  }
  int e = 0;
  const float frac = std::frexp(a, &e);                    // a = frac * 2^e, frac in [0.5, 1)
  float m = std::nearbyint((frac * 2.0f - 1.0f) * 8.0f);   // mantissa steps of 1/8, ties to even
  int exp = e - 1 + 7;
  if (m == 8.0f) {
    m = 0.0f;
    ++exp;
  }
  if (exp > 15 || (exp == 15 && m == 7.0f)) return sign | 0x7E;
  return sign | static_cast<uint8_t>((exp << 3) | static_cast<int>(m));
}

}  // namespace engram::kernels
