// Row quantization from float32, one function per format. Rules per format: ref.h QuantizeRowRef;
// layouts: kernels/quant_blocks.h. Inputs are assumed finite.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "kernels/quant_blocks.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

template <typename Block>
void StoreBlock(void* dst, int64_t i, const Block& b) {
  std::memcpy(static_cast<uint8_t*>(dst) + i * static_cast<int64_t>(sizeof(Block)), &b, sizeof b);
}

int Clamp(int v, int lo, int hi) { return std::min(std::max(v, lo), hi); }

// Rounds to nearest (ties away from zero) and saturates to the signed integer type T; NaN gives 0.
template <typename T>
T SaturatingRound(float x) {
  static_assert(std::numeric_limits<T>::is_signed);
  if (std::isnan(x)) return 0;
  const double r = std::round(static_cast<double>(x));
  const double limit = -static_cast<double>(std::numeric_limits<T>::min());  // 2^(bits-1), exact
  if (r < -limit) return std::numeric_limits<T>::min();
  if (r >= limit) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

template <typename T>
void QuantizePlain(const float* x, void* dst, int64_t n, T (*convert)(float)) {
  for (int64_t i = 0; i < n; ++i) {
    const T v = convert(x[i]);
    std::memcpy(static_cast<uint8_t*>(dst) + i * static_cast<int64_t>(sizeof(T)), &v, sizeof v);
  }
}

float AbsMax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j) amax = std::max(amax, std::fabs(x[j]));
  return amax;
}

// The signed value of largest magnitude (the first one on ties).
float SignedMax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void QuantizeQ8_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + i * kQK;  // [32]
    const float d = AbsMax(xb, kQK) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_0 b;
    b.d = Fp32ToFp16(d);
    for (int j = 0; j < kQK; ++j) b.qs[j] = static_cast<int8_t>(std::roundf(xb[j] * id));
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ8_1(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + i * kQK;  // [32]
    const float d = AbsMax(xb, kQK) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_1 b;
    b.d = Fp32ToFp16(d);
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
      b.qs[j] = static_cast<int8_t>(std::roundf(xb[j] * id));
      sum += b.qs[j];
    }
    b.s = Fp32ToFp16(d * static_cast<float>(sum));
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ4_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + i * kQK;  // [32]
    const float d = SignedMax(xb, kQK) / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_0 b;
    b.d = Fp32ToFp16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      // x * id lies in [-8, 8]; +8.5 then truncation rounds to nearest; the level 16 is clamped.
      const int q0 = std::min(15, static_cast<int>(xb[j] * id + 8.5f));
      const int q1 = std::min(15, static_cast<int>(xb[j + kQK / 2] * id + 8.5f));
      b.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ5_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + i * kQK;  // [32]
    const float d = SignedMax(xb, kQK) / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_0 b;
    b.d = Fp32ToFp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(31, static_cast<int>(xb[j] * id + 16.5f));
      const int q1 = std::min(31, static_cast<int>(xb[j + kQK / 2] * id + 16.5f));
      b.qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
      qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + 16);
    }
    for (int k = 0; k < 4; ++k) b.qh[k] = static_cast<uint8_t>(qh >> (8 * k));
    StoreBlock(dst, i, b);
  }
}

// Q4_1 / Q5_1: fills d, m and the levels q[32] in [0, max_q].
void AffineLevels(const float* xb, int max_q, uint16_t* d_out, uint16_t* m_out, int* q) {
  float mn = xb[0], mx = xb[0];
  for (int j = 1; j < kQK; ++j) {
    mn = std::min(mn, xb[j]);
    mx = std::max(mx, xb[j]);
  }
  *d_out = Fp32ToFp16((mx - mn) / static_cast<float>(max_q));
  *m_out = Fp32ToFp16(mn);
  const float d = Fp16ToFp32(*d_out), m = Fp16ToFp32(*m_out);
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  for (int j = 0; j < kQK; ++j)
    q[j] = Clamp(static_cast<int>(std::lround((xb[j] - m) * id)), 0, max_q);
}

void QuantizeQ4_1(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    BlockQ4_1 b;
    int q[kQK];
    AffineLevels(x + i * kQK, 15, &b.d, &b.m, q);
    for (int j = 0; j < kQK / 2; ++j) b.qs[j] = static_cast<uint8_t>(q[j] | (q[j + kQK / 2] << 4));
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ5_1(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    BlockQ5_1 b;
    int q[kQK];
    AffineLevels(x + i * kQK, 31, &b.d, &b.m, q);
    uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      b.qs[j] = static_cast<uint8_t>((q[j] & 0xF) | ((q[j + kQK / 2] & 0xF) << 4));
      qh |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((q[j + kQK / 2] >> 4) & 1) << (j + 16);
    }
    for (int k = 0; k < 4; ++k) b.qh[k] = static_cast<uint8_t>(qh >> (8 * k));
    StoreBlock(dst, i, b);
  }
}

// The 6-bit multiple of `unit` covering `value` (value <= 62 * unit by construction, so the
// result is at most 63 even after fp16 rounding of unit).
uint8_t CeilLevel(float value, float unit, int max_level) {
  if (unit <= 0.0f || value <= 0.0f) return 0;
  return static_cast<uint8_t>(Clamp(static_cast<int>(std::ceil(value / unit)), 0, max_level));
}

// Q4_K / Q5_K super-block: 8 sub-blocks of 32 with 6-bit scales and mins. Fills d, dmin, the
// packed scales and the levels q[256] in [0, max_q]. The mins are rounded up so that x + min >= 0,
// then the scales are rounded up so that the sub-block's top stays on the grid: every element is
// within half a step of a level.
void KQuantLevels(const float* xb, int max_q, uint16_t* d_out, uint16_t* dmin_out,
                  uint8_t* packed_scales, int* q) {
  constexpr int kSub = 8, kLen = 32;
  float minval[kSub], top[kSub];  // minval = -min(0, min x) >= 0; top = max x
  float max_minval = 0.0f;
  for (int j = 0; j < kSub; ++j) {
    float mn = 0.0f, mx = xb[j * kLen];
    for (int l = 0; l < kLen; ++l) {
      mn = std::min(mn, xb[j * kLen + l]);
      mx = std::max(mx, xb[j * kLen + l]);
    }
    minval[j] = -mn;
    top[j] = mx;
    max_minval = std::max(max_minval, minval[j]);
  }
  *dmin_out = Fp32ToFp16(max_minval / 62.0f);
  const float dmin = Fp16ToFp32(*dmin_out);
  uint8_t lm[kSub], ls[kSub];
  float ml[kSub], scale[kSub];
  float max_scale = 0.0f;
  for (int j = 0; j < kSub; ++j) {
    lm[j] = CeilLevel(minval[j], dmin, 63);
    ml[j] = dmin * lm[j];
    scale[j] = std::max(0.0f, (top[j] + ml[j]) / static_cast<float>(max_q));
    max_scale = std::max(max_scale, scale[j]);
  }
  *d_out = Fp32ToFp16(max_scale / 62.0f);
  const float d = Fp16ToFp32(*d_out);
  for (int j = 0; j < kSub; ++j) {
    ls[j] = CeilLevel(scale[j], d, 63);
    const float dl = d * ls[j];
    const float idl = dl > 0.0f ? 1.0f / dl : 0.0f;
    for (int l = 0; l < kLen; ++l) {
      q[j * kLen + l] =
          Clamp(static_cast<int>(std::lround((xb[j * kLen + l] + ml[j]) * idl)), 0, max_q);
    }
  }
  PackScaleMinK4(ls, lm, packed_scales);
}

void QuantizeQ4_K(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    BlockQ4_K b;
    int q[kQK_K];
    KQuantLevels(x + i * kQK_K, 15, &b.d, &b.dmin, b.scales, q);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        b.qs[32 * c + l] = static_cast<uint8_t>(q[64 * c + l] | (q[64 * c + 32 + l] << 4));
      }
    }
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ5_K(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    BlockQ5_K b;
    int q[kQK_K];
    KQuantLevels(x + i * kQK_K, 31, &b.d, &b.dmin, b.scales, q);
    std::memset(b.qh, 0, sizeof b.qh);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const int q0 = q[64 * c + l], q1 = q[64 * c + 32 + l];
        b.qs[32 * c + l] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
        b.qh[l] |= static_cast<uint8_t>(((q0 >> 4) << (2 * c)) | ((q1 >> 4) << (2 * c + 1)));
      }
    }
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ6_K(const float* x, void* dst, int64_t n) {
  constexpr int kSub = 16, kLen = 16;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float* xb = x + i * kQK_K;  // [256]
    float scale[kSub];
    float max_scale = 0.0f;
    for (int j = 0; j < kSub; ++j) {
      scale[j] = AbsMax(xb + j * kLen, kLen) / 31.0f;
      max_scale = std::max(max_scale, scale[j]);
    }
    BlockQ6_K b;
    b.d = Fp32ToFp16(max_scale / 126.0f);  // slack so that rounding up stays <= 127
    const float d = Fp16ToFp32(b.d);
    int q[kQK_K];  // [256], in [0, 63]
    for (int j = 0; j < kSub; ++j) {
      const uint8_t ls = CeilLevel(scale[j], d, 127);
      b.scales[j] = static_cast<int8_t>(ls);
      const float dl = d * ls;
      const float idl = dl > 0.0f ? 1.0f / dl : 0.0f;
      for (int l = 0; l < kLen; ++l) {
        q[j * kLen + l] =
            Clamp(static_cast<int>(std::lround(xb[j * kLen + l] * idl)), -32, 31) + 32;
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int* qq = q + 128 * h;  // [128]
      for (int l = 0; l < 32; ++l) {
        const int q0 = qq[l], q1 = qq[l + 32], q2 = qq[l + 64], q3 = qq[l + 96];
        b.ql[64 * h + l] = static_cast<uint8_t>((q0 & 0xF) | ((q2 & 0xF) << 4));
        b.ql[64 * h + l + 32] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
        b.qh[32 * h + l] = static_cast<uint8_t>((q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) |
                                                ((q3 >> 4) << 6));
      }
    }
    StoreBlock(dst, i, b);
  }
}

void QuantizeQ8_K(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float* xb = x + i * kQK_K;  // [256]
    BlockQ8_K b;
    b.d = AbsMax(xb, kQK_K) / 127.0f;
    const float id = b.d != 0.0f ? 1.0f / b.d : 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      b.qs[j] = static_cast<int8_t>(Clamp(static_cast<int>(std::lround(xb[j] * id)), -127, 127));
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
      b.bsums[j] = static_cast<int16_t>(sum);
    }
    StoreBlock(dst, i, b);
  }
}

}  // namespace

void QuantizeRowRef(DType type, const float* src, void* dst, int64_t n) {
  if (!IsSupported(type) || RowBytes(type, n) < 0)
    internal::DieBadRow("QuantizeRowRef: bad type or length", type, n);
  switch (type) {
    case DType::kF32:
      return QuantizePlain<float>(src, dst, n, [](float v) { return v; });
    case DType::kF64:
      return QuantizePlain<double>(src, dst, n, [](float v) { return static_cast<double>(v); });
    case DType::kF16:
      return QuantizePlain<uint16_t>(src, dst, n, Fp32ToFp16);
    case DType::kBF16:
      return QuantizePlain<uint16_t>(src, dst, n, Fp32ToBf16);
    case DType::kI8:
      return QuantizePlain<int8_t>(src, dst, n, SaturatingRound<int8_t>);
    case DType::kI16:
      return QuantizePlain<int16_t>(src, dst, n, SaturatingRound<int16_t>);
    case DType::kI32:
      return QuantizePlain<int32_t>(src, dst, n, SaturatingRound<int32_t>);
    case DType::kI64:
      return QuantizePlain<int64_t>(src, dst, n, SaturatingRound<int64_t>);
    case DType::kQ4_0:
      return QuantizeQ4_0(src, dst, n);
    case DType::kQ4_1:
      return QuantizeQ4_1(src, dst, n);
    case DType::kQ5_0:
      return QuantizeQ5_0(src, dst, n);
    case DType::kQ5_1:
      return QuantizeQ5_1(src, dst, n);
    case DType::kQ8_0:
      return QuantizeQ8_0(src, dst, n);
    case DType::kQ8_1:
      return QuantizeQ8_1(src, dst, n);
    case DType::kQ4_K:
      return QuantizeQ4_K(src, dst, n);
    case DType::kQ5_K:
      return QuantizeQ5_K(src, dst, n);
    case DType::kQ6_K:
      return QuantizeQ6_K(src, dst, n);
    case DType::kQ8_K:
      return QuantizeQ8_K(src, dst, n);
    default:
      break;
  }
  internal::DieBadRow("QuantizeRowRef: supported type without a quantizer", type, n);
}

}  // namespace engram::kernels
