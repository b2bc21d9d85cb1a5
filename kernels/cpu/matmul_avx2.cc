// MatMul with AVX2 + FMA + F16C (compiled with those flags only in this file; chosen at start-up when
// the CPU has them). Integer dot products for the quantized formats, with activations packed by
// PackActivations (q8_0 for q8_0 weights, q8_K for q4_K / q6_K):
//   q8_0 x q8_0: per 32-block  d_w d_x sum(q_w q_x)   (sign trick: |q_w| (u8) x sign(q_x, q_w) (s8))
//   q4_K x q8_K: per 256-block d_x (d sum_j sc_j sum(q y) - dmin sum_j m_j sum(y))
//   q6_K x q8_K: per 256-block d_x d (sum_g sc_g sum(q y) - 32 sum_g sc_g sum(y)), q in [0, 63]
// f32 weights use FMA; other types dequantize the weight row and use FMA on the unpacked activations.
// Results equal MatMulRef up to float summation order.
#include <immintrin.h>

#include <vector>

#include "kernels/cpu/simd.h"
#include "kernels/quant_blocks.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

inline float HalfToFloat(uint16_t h) { return _cvtsh_ss(h); }

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t HorizontalSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

// Weights stream from memory once per token: fetch this far ahead of use (bytes). 4 KiB measured
// best on the bench machine (decode 21 -> 35 tokens/s on the Q8_0 bench model from 256 B to 4 KiB).
constexpr int kPrefetchBytes = 4096;

inline void Prefetch(const void* p) { _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0); }

// Prefetches the cache lines of `bytes` bytes starting kPrefetchBytes after `p`.
inline void PrefetchAhead(const void* p, int bytes) {
  for (int off = 0; off < bytes; off += 64) Prefetch(static_cast<const char*>(p) + kPrefetchBytes + off);
}

float DotF32(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    Prefetch(a + i + kPrefetchBytes / 4);
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float DotQ8_0(const BlockQ8_0* w, const BlockQ8_0* x, int64_t n_blocks) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  auto block = [&](int64_t b, __m256& acc) {
    const __m256i qw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs));
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
    const __m256i prod16 = _mm256_maddubs_epi16(_mm256_sign_epi8(qw, qw), _mm256_sign_epi8(qx, qw));
    const __m256 prod = _mm256_cvtepi32_ps(_mm256_madd_epi16(prod16, ones));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(HalfToFloat(w[b].d) * HalfToFloat(x[b].d)), prod, acc);
  };
  int64_t b = 0;
  for (; b + 2 <= n_blocks; b += 2) {
    PrefetchAhead(w + b, 2 * static_cast<int>(sizeof(BlockQ8_0)));
    block(b, acc0);
    block(b + 1, acc1);
  }
  if (b < n_blocks) block(b, acc0);
  return HorizontalSum(_mm256_add_ps(acc0, acc1));
}

float DotQ4_K(const BlockQ4_K* w, const BlockQ8_K* x, int64_t n_blocks) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  float sum = 0.0f;
  for (int64_t b = 0; b < n_blocks; ++b) {
    PrefetchAhead(w + b, static_cast<int>(sizeof(BlockQ4_K)));
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; ++j) UnpackScaleMinK4(j, w[b].scales, &sc[j], &mn[j]);
    __m256i acc = _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs + 32 * c));
      const __m256i lo = _mm256_and_si256(q, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
      const __m256i y0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs + 64 * c));
      const __m256i y1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs + 64 * c + 32));
      const __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y0), _mm256_set1_epi16(sc[2 * c]));
      const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y1), _mm256_set1_epi16(sc[2 * c + 1]));
      acc = _mm256_add_epi32(acc, _mm256_add_epi32(p0, p1));
    }
    int32_t mins = 0;
    for (int j = 0; j < 8; ++j) mins += mn[j] * (x[b].bsums[2 * j] + x[b].bsums[2 * j + 1]);
    sum += x[b].d * (HalfToFloat(w[b].d) * static_cast<float>(HorizontalSum(acc)) -
                     HalfToFloat(w[b].dmin) * static_cast<float>(mins));
  }
  return sum;
}

float DotQ6_K(const BlockQ6_K* w, const BlockQ8_K* x, int64_t n_blocks) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(0x03);
  float sum = 0.0f;
  for (int64_t b = 0; b < n_blocks; ++b) {
    PrefetchAhead(w + b, static_cast<int>(sizeof(BlockQ6_K)));
    const int8_t* sc = w[b].scales;
    __m256i acc = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = w[b].ql + 64 * h;
      const int8_t* y = x[b].qs + 128 * h;
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qh + 32 * h));
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4)),
          _mm256_or_si256(_mm256_and_si256(ql1, low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), low2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), low2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), low2), 4)),
      };
      for (int k = 0; k < 4; ++k) {
        const __m256i yk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + 32 * k));
        // Elements 0..15 of this 32 use scale 8h + 2k, elements 16..31 scale 8h + 2k + 1.
        const __m256i scale = _mm256_set_m128i(_mm_set1_epi16(sc[8 * h + 2 * k + 1]), _mm_set1_epi16(sc[8 * h + 2 * k]));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], yk), scale));
      }
    }
    int32_t offset = 0;
    for (int g = 0; g < 16; ++g) offset += sc[g] * x[b].bsums[g];
    sum += x[b].d * HalfToFloat(w[b].d) * static_cast<float>(HorizontalSum(acc) - 32 * offset);
  }
  return sum;
}

}  // namespace

void MatMulAvx2(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end) {
  const DType act = ActivationType(w.type);
  const size_t x_row_bytes = static_cast<size_t>(RowBytes(act, w.cols));
  const auto* xb = static_cast<const uint8_t*>(x);
  switch (w.type) {
    case DType::kF32:
      for (int64_t r = row_begin; r < row_end; ++r) {
        for (int64_t t = 0; t < n; ++t) {
          y[t * w.rows + r] = DotF32(reinterpret_cast<const float*>(w.row(r)), static_cast<const float*>(x) + t * w.cols, w.cols);
        }
      }
      return;
    case DType::kQ8_0:
      for (int64_t r = row_begin; r < row_end; ++r) {
        for (int64_t t = 0; t < n; ++t) {
          y[t * w.rows + r] = DotQ8_0(reinterpret_cast<const BlockQ8_0*>(w.row(r)),
                                      reinterpret_cast<const BlockQ8_0*>(xb + t * x_row_bytes), w.cols / kQK);
        }
      }
      return;
    case DType::kQ4_K:
      for (int64_t r = row_begin; r < row_end; ++r) {
        for (int64_t t = 0; t < n; ++t) {
          y[t * w.rows + r] = DotQ4_K(reinterpret_cast<const BlockQ4_K*>(w.row(r)),
                                      reinterpret_cast<const BlockQ8_K*>(xb + t * x_row_bytes), w.cols / kQK_K);
        }
      }
      return;
    case DType::kQ6_K:
      for (int64_t r = row_begin; r < row_end; ++r) {
        for (int64_t t = 0; t < n; ++t) {
          y[t * w.rows + r] = DotQ6_K(reinterpret_cast<const BlockQ6_K*>(w.row(r)),
                                      reinterpret_cast<const BlockQ8_K*>(xb + t * x_row_bytes), w.cols / kQK_K);
        }
      }
      return;
    default: {
      // Unpack the activations once, then one dequantized weight row at a time.
      std::vector<float> xf(static_cast<size_t>(n * w.cols)), wrow(static_cast<size_t>(w.cols));
      for (int64_t t = 0; t < n; ++t) DequantizeRowRef(act, xb + t * x_row_bytes, xf.data() + t * w.cols, w.cols);
      for (int64_t r = row_begin; r < row_end; ++r) {
        DequantizeRowRef(w.type, w.row(r), wrow.data(), w.cols);
        for (int64_t t = 0; t < n; ++t) y[t * w.rows + r] = DotF32(wrow.data(), xf.data() + t * w.cols, w.cols);
      }
      return;
    }
  }
}

}  // namespace engram::kernels
