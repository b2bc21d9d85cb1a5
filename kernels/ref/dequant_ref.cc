// Row dequantization to float32, one function per format. Formulas: kernels/quant_blocks.h.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/quant_blocks.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

// Copies block i of a packed row (blocks may be unaligned inside a mapped file).
template <typename Block>
Block LoadBlock(const void* src, int64_t i) {
  Block b;
  std::memcpy(&b, static_cast<const uint8_t*>(src) + i * static_cast<int64_t>(sizeof(Block)),
              sizeof b);
  return b;
}

template <typename T>
void DequantizePlain(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, static_cast<const uint8_t*>(src) + i * static_cast<int64_t>(sizeof(T)),
                sizeof v);
    dst[i] = static_cast<float>(v);
  }
}

void DequantizeF16(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = Fp16ToFp32(LoadBlock<uint16_t>(src, i));
}

void DequantizeBf16(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = Bf16ToFp32(LoadBlock<uint16_t>(src, i));
}

void DequantizeQ4_0(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const auto b = LoadBlock<BlockQ4_0>(src, i);
    const float d = Fp16ToFp32(b.d);
    float* y = dst + i * kQK;  // [32]
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>((b.qs[j] & 0xF) - 8) * d;
      y[j + kQK / 2] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
    }
  }
}

void DequantizeQ4_1(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const auto b = LoadBlock<BlockQ4_1>(src, i);
    const float d = Fp16ToFp32(b.d), m = Fp16ToFp32(b.m);
    float* y = dst + i * kQK;  // [32]
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(b.qs[j] & 0xF) * d + m;
      y[j + kQK / 2] = static_cast<float>(b.qs[j] >> 4) * d + m;
    }
  }
}

uint32_t LoadQh(const uint8_t qh[4]) {
  return static_cast<uint32_t>(qh[0]) | (static_cast<uint32_t>(qh[1]) << 8) |
         (static_cast<uint32_t>(qh[2]) << 16) | (static_cast<uint32_t>(qh[3]) << 24);
}

void DequantizeQ5_0(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const auto b = LoadBlock<BlockQ5_0>(src, i);
    const float d = Fp16ToFp32(b.d);
    const uint32_t qh = LoadQh(b.qh);
    float* y = dst + i * kQK;  // [32]
    for (int j = 0; j < kQK / 2; ++j) {
      const int hi0 = static_cast<int>((qh >> j) & 1u) << 4;
      const int hi1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
      y[j] = static_cast<float>(((b.qs[j] & 0xF) | hi0) - 16) * d;
      y[j + kQK / 2] = static_cast<float>(((b.qs[j] >> 4) | hi1) - 16) * d;
    }
  }
}

void DequantizeQ5_1(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const auto b = LoadBlock<BlockQ5_1>(src, i);
    const float d = Fp16ToFp32(b.d), m = Fp16ToFp32(b.m);
    const uint32_t qh = LoadQh(b.qh);
    float* y = dst + i * kQK;  // [32]
    for (int j = 0; j < kQK / 2; ++j) {
      const int hi0 = static_cast<int>((qh >> j) & 1u) << 4;
      const int hi1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
      y[j] = static_cast<float>((b.qs[j] & 0xF) | hi0) * d + m;
      y[j + kQK / 2] = static_cast<float>((b.qs[j] >> 4) | hi1) * d + m;
    }
  }
}

void DequantizeQ8_0(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const auto b = LoadBlock<BlockQ8_0>(src, i);
    const float d = Fp16ToFp32(b.d);
    for (int j = 0; j < kQK; ++j) dst[i * kQK + j] = static_cast<float>(b.qs[j]) * d;
  }
}

void DequantizeQ8_1(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const auto b = LoadBlock<BlockQ8_1>(src, i);
    const float d = Fp16ToFp32(b.d);
    for (int j = 0; j < kQK; ++j) dst[i * kQK + j] = static_cast<float>(b.qs[j]) * d;
  }
}

void DequantizeQ4_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ4_K>(src, i);
    const float d = Fp16ToFp32(b.d), dmin = Fp16ToFp32(b.dmin);
    float* y = dst + i * kQK_K;    // [256]
    for (int c = 0; c < 4; ++c) {  // 64-element chunks: sub-blocks 2c (low nibbles), 2c+1 (high)
      uint8_t sc0, m0, sc1, m1;
      UnpackScaleMinK4(2 * c, b.scales, &sc0, &m0);
      UnpackScaleMinK4(2 * c + 1, b.scales, &sc1, &m1);
      const float d0 = d * sc0, min0 = dmin * m0, d1 = d * sc1, min1 = dmin * m1;
      const uint8_t* q = b.qs + 32 * c;
      for (int l = 0; l < 32; ++l) {
        y[64 * c + l] = d0 * static_cast<float>(q[l] & 0xF) - min0;
        y[64 * c + 32 + l] = d1 * static_cast<float>(q[l] >> 4) - min1;
      }
    }
  }
}

void DequantizeQ5_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ5_K>(src, i);
    const float d = Fp16ToFp32(b.d), dmin = Fp16ToFp32(b.dmin);
    float* y = dst + i * kQK_K;  // [256]
    for (int c = 0; c < 4; ++c) {
      uint8_t sc0, m0, sc1, m1;
      UnpackScaleMinK4(2 * c, b.scales, &sc0, &m0);
      UnpackScaleMinK4(2 * c + 1, b.scales, &sc1, &m1);
      const float d0 = d * sc0, min0 = dmin * m0, d1 = d * sc1, min1 = dmin * m1;
      const uint8_t* q = b.qs + 32 * c;
      const uint8_t bit0 = static_cast<uint8_t>(1u << (2 * c)),
                    bit1 = static_cast<uint8_t>(bit0 << 1);
      for (int l = 0; l < 32; ++l) {
        const int q0 = (q[l] & 0xF) + ((b.qh[l] & bit0) != 0 ? 16 : 0);
        const int q1 = (q[l] >> 4) + ((b.qh[l] & bit1) != 0 ? 16 : 0);
        y[64 * c + l] = d0 * static_cast<float>(q0) - min0;
        y[64 * c + 32 + l] = d1 * static_cast<float>(q1) - min1;
      }
    }
  }
}

void DequantizeQ6_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ6_K>(src, i);
    const float d = Fp16ToFp32(b.d);
    for (int h = 0; h < 2; ++h) {            // 128-element halves
      float* y = dst + i * kQK_K + 128 * h;  // [128]
      const uint8_t* ql = b.ql + 64 * h;
      const uint8_t* qh = b.qh + 32 * h;
      const int8_t* sc = b.scales + 8 * h;
      for (int l = 0; l < 32; ++l) {
        const int s = l / 16;
        const int q0 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q1 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * static_cast<float>(sc[s]) * static_cast<float>(q0);
        y[l + 32] = d * static_cast<float>(sc[s + 2]) * static_cast<float>(q1);
        y[l + 64] = d * static_cast<float>(sc[s + 4]) * static_cast<float>(q2);
        y[l + 96] = d * static_cast<float>(sc[s + 6]) * static_cast<float>(q3);
      }
    }
  }
}

void DequantizeQ8_K(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = LoadBlock<BlockQ8_K>(src, i);
    for (int j = 0; j < kQK_K; ++j) dst[i * kQK_K + j] = b.d * static_cast<float>(b.qs[j]);
  }
}

}  // namespace

namespace internal {

void DieBadRow(const char* what, DType type, int64_t n) {
  std::fprintf(stderr, "kernels: %s: type %.*s (%u), n %lld\n", what,
               static_cast<int>(DTypeName(type).size()), DTypeName(type).data(),
               static_cast<unsigned>(type), static_cast<long long>(n));
  std::abort();
}

}  // namespace internal

void DequantizeRowRef(DType type, const void* src, float* dst, int64_t n) {
  // Callers validated the tensor (gguf reader) or built the buffer themselves: a bad type or a
  // partial block here is a programmer error.
  if (!IsSupported(type) || RowBytes(type, n) < 0)
    internal::DieBadRow("DequantizeRowRef: bad type or length", type, n);
  switch (type) {
    case DType::kF32:
      return DequantizePlain<float>(src, dst, n);
    case DType::kF16:
      return DequantizeF16(src, dst, n);
    case DType::kBF16:
      return DequantizeBf16(src, dst, n);
    case DType::kF64:
      return DequantizePlain<double>(src, dst, n);
    case DType::kI8:
      return DequantizePlain<int8_t>(src, dst, n);
    case DType::kI16:
      return DequantizePlain<int16_t>(src, dst, n);
    case DType::kI32:
      return DequantizePlain<int32_t>(src, dst, n);
    case DType::kI64:
      return DequantizePlain<int64_t>(src, dst, n);
    case DType::kQ4_0:
      return DequantizeQ4_0(src, dst, n);
    case DType::kQ4_1:
      return DequantizeQ4_1(src, dst, n);
    case DType::kQ5_0:
      return DequantizeQ5_0(src, dst, n);
    case DType::kQ5_1:
      return DequantizeQ5_1(src, dst, n);
    case DType::kQ8_0:
      return DequantizeQ8_0(src, dst, n);
    case DType::kQ8_1:
      return DequantizeQ8_1(src, dst, n);
    case DType::kQ4_K:
      return DequantizeQ4_K(src, dst, n);
    case DType::kQ5_K:
      return DequantizeQ5_K(src, dst, n);
    case DType::kQ6_K:
      return DequantizeQ6_K(src, dst, n);
    case DType::kQ8_K:
      return DequantizeQ8_K(src, dst, n);
    default:
      break;
  }
  internal::DieBadRow("DequantizeRowRef: supported type without a kernel", type, n);
}

}  // namespace engram::kernels
