// MatMul with AVX2 + FMA + F16C (compiled with those flags only in this file; chosen at start-up
// when the CPU has them). Integer dot products for the quantized formats, with activations packed
// by PackActivations (q8_0 for q8_0 weights, q8_K for q4_K / q6_K):
//   q8_0 x q8_0: per 32-block  d_w d_x sum(q_w q_x)   (sign trick: |q_w| (u8) x sign(q_x, q_w)
//   (s8)) q4_K x q8_K: per 256-block d_x (d sum_j sc_j sum(q y) - dmin sum_j m_j sum(y)) q6_K x
//   q8_K: per 256-block d_x d (sum_g sc_g sum(q y) - 32 sum_g sc_g sum(y)), q in [0, 63]
// f32 weights use FMA; other types dequantize the weight row and use FMA on the unpacked
// activations. Results equal MatMulRef up to float summation order.
#include <immintrin.h>

#include <algorithm>
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
  for (int off = 0; off < bytes; off += 64)
    Prefetch(static_cast<const char*>(p) + kPrefetchBytes + off);
}

float DotF32(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    Prefetch(a + i + kPrefetchBytes / 4);
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8)
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Dots of one weight row with T activation rows: the weight block, its |q| and its scale are loaded
// and prepared once for all T tokens (prefill reuses each weight row across many tokens).
template <int T>
void DotQ8_0(const BlockQ8_0* w, const BlockQ8_0* const* x, int64_t n_blocks, float* out) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc[T];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (int64_t b = 0; b < n_blocks; ++b) {
    if (b % 2 == 0) PrefetchAhead(w + b, 2 * static_cast<int>(sizeof(BlockQ8_0)));
    const __m256i qw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs));
    const __m256i aw = _mm256_sign_epi8(qw, qw);
    const float dw = HalfToFloat(w[b].d);
    for (int t = 0; t < T; ++t) {
      const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][b].qs));
      const __m256i prod16 = _mm256_maddubs_epi16(aw, _mm256_sign_epi8(qx, qw));
      const __m256 prod = _mm256_cvtepi32_ps(_mm256_madd_epi16(prod16, ones));
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * HalfToFloat(x[t][b].d)), prod, acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) out[t] = HorizontalSum(acc[t]);
}

template <int T>
void DotQ4_K(const BlockQ4_K* w, const BlockQ8_K* const* x, int64_t n_blocks, float* out) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  float sum[T] = {};
  for (int64_t b = 0; b < n_blocks; ++b) {
    PrefetchAhead(w + b, static_cast<int>(sizeof(BlockQ4_K)));
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; ++j) UnpackScaleMinK4(j, w[b].scales, &sc[j], &mn[j]);
    __m256i acc[T];
    for (auto& a : acc) a = _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs + 32 * c));
      const __m256i lo = _mm256_and_si256(q, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
      const __m256i s0 = _mm256_set1_epi16(sc[2 * c]), s1 = _mm256_set1_epi16(sc[2 * c + 1]);
      for (int t = 0; t < T; ++t) {
        const __m256i y0 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][b].qs + 64 * c));
        const __m256i y1 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][b].qs + 64 * c + 32));
        const __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y0), s0);
        const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y1), s1);
        acc[t] = _mm256_add_epi32(acc[t], _mm256_add_epi32(p0, p1));
      }
    }
    const float d = HalfToFloat(w[b].d), dmin = HalfToFloat(w[b].dmin);
    for (int t = 0; t < T; ++t) {
      int32_t mins = 0;
      for (int j = 0; j < 8; ++j) mins += mn[j] * (x[t][b].bsums[2 * j] + x[t][b].bsums[2 * j + 1]);
      sum[t] += x[t][b].d *
                (d * static_cast<float>(HorizontalSum(acc[t])) - dmin * static_cast<float>(mins));
    }
  }
  for (int t = 0; t < T; ++t) out[t] = sum[t];
}

template <int T>
void DotQ6_K(const BlockQ6_K* w, const BlockQ8_K* const* x, int64_t n_blocks, float* out) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(0x03);
  float sum[T] = {};
  for (int64_t b = 0; b < n_blocks; ++b) {
    PrefetchAhead(w + b, static_cast<int>(sizeof(BlockQ6_K)));
    const int8_t* sc = w[b].scales;
    __m256i acc[T];
    for (auto& a : acc) a = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = w[b].ql + 64 * h;
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qh + 32 * h));
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(ql0, low4),
                          _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4)),
          _mm256_or_si256(_mm256_and_si256(ql1, low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), low2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), low2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), low2), 4)),
      };
      for (int k = 0; k < 4; ++k) {
        // Elements 0..15 of this 32 use scale 8h + 2k, elements 16..31 scale 8h + 2k + 1.
        const __m256i scale = _mm256_set_m128i(_mm_set1_epi16(sc[8 * h + 2 * k + 1]),
                                               _mm_set1_epi16(sc[8 * h + 2 * k]));
        for (int t = 0; t < T; ++t) {
          const __m256i yk =
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][b].qs + 128 * h + 32 * k));
          acc[t] =
              _mm256_add_epi32(acc[t], _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], yk), scale));
        }
      }
    }
    const float d = HalfToFloat(w[b].d);
    for (int t = 0; t < T; ++t) {
      int32_t offset = 0;
      for (int g = 0; g < 16; ++g) offset += sc[g] * x[t][b].bsums[g];
      sum[t] += x[t][b].d * d * static_cast<float>(HorizontalSum(acc[t]) - 32 * offset);
    }
  }
  for (int t = 0; t < T; ++t) out[t] = sum[t];
}

constexpr int64_t kTokenTile = 32;

// Runs Dot<T> over every row in [row_begin, row_end) and the tokens in groups of up to 4.
template <typename WBlock, typename XBlock, template <int> class Dot>
void RowsTimesTokens(const MatrixView& w, const uint8_t* x, size_t x_row_bytes, int64_t n, float* y,
                     int64_t row_begin, int64_t row_end, int64_t n_blocks) {
  // Token tiles keep their activations in cache while every row of the range passes over them
  // (without the tiling, a 512-token prefill streamed all activations through L2 once per row).
  for (int64_t t0 = 0; t0 < n; t0 += kTokenTile) {
    const int64_t t1 = std::min(n, t0 + kTokenTile);
    for (int64_t r = row_begin; r < row_end; ++r) {
      const auto* wr = reinterpret_cast<const WBlock*>(w.row(r));
      for (int64_t t = t0; t < t1; t += 4) {
        const XBlock* xs[4];
        const int m = static_cast<int>(std::min<int64_t>(4, t1 - t));
        for (int k = 0; k < m; ++k)
          xs[k] = reinterpret_cast<const XBlock*>(x + static_cast<size_t>(t + k) * x_row_bytes);
        float out[4];
        switch (m) {
          case 4:
            Dot<4>::Run(wr, xs, n_blocks, out);
            break;
          case 3:
            Dot<3>::Run(wr, xs, n_blocks, out);
            break;
          case 2:
            Dot<2>::Run(wr, xs, n_blocks, out);
            break;
          default:
            Dot<1>::Run(wr, xs, n_blocks, out);
            break;
        }
        for (int k = 0; k < m; ++k) y[(t + k) * w.rows + r] = out[k];
      }
    }
  }
}

template <int T>
struct DotQ8_0Fn {
  static void Run(const BlockQ8_0* w, const BlockQ8_0* const* x, int64_t nb, float* out) {
    DotQ8_0<T>(w, x, nb, out);
  }
};
template <int T>
struct DotQ4_KFn {
  static void Run(const BlockQ4_K* w, const BlockQ8_K* const* x, int64_t nb, float* out) {
    DotQ4_K<T>(w, x, nb, out);
  }
};
template <int T>
struct DotQ6_KFn {
  static void Run(const BlockQ6_K* w, const BlockQ8_K* const* x, int64_t nb, float* out) {
    DotQ6_K<T>(w, x, nb, out);
  }
};

}  // namespace

void MatMulAvx2(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin,
                int64_t row_end) {
  const DType act = ActivationType(w.type);
  const size_t x_row_bytes = static_cast<size_t>(RowBytes(act, w.cols));
  const auto* xb = static_cast<const uint8_t*>(x);
  switch (w.type) {
    case DType::kF32:
      for (int64_t r = row_begin; r < row_end; ++r) {
        for (int64_t t = 0; t < n; ++t) {
          y[t * w.rows + r] = DotF32(reinterpret_cast<const float*>(w.row(r)),
                                     static_cast<const float*>(x) + t * w.cols, w.cols);
        }
      }
      return;
    case DType::kQ8_0:
      RowsTimesTokens<BlockQ8_0, BlockQ8_0, DotQ8_0Fn>(w, xb, x_row_bytes, n, y, row_begin, row_end,
                                                       w.cols / kQK);
      return;
    case DType::kQ4_K:
      RowsTimesTokens<BlockQ4_K, BlockQ8_K, DotQ4_KFn>(w, xb, x_row_bytes, n, y, row_begin, row_end,
                                                       w.cols / kQK_K);
      return;
    case DType::kQ6_K:
      RowsTimesTokens<BlockQ6_K, BlockQ8_K, DotQ6_KFn>(w, xb, x_row_bytes, n, y, row_begin, row_end,
                                                       w.cols / kQK_K);
      return;
    default: {
      // Unpack the activations once, then one dequantized weight row at a time.
      std::vector<float> xf(static_cast<size_t>(n * w.cols)), wrow(static_cast<size_t>(w.cols));
      for (int64_t t = 0; t < n; ++t)
        DequantizeRowRef(act, xb + t * x_row_bytes, xf.data() + t * w.cols, w.cols);
      for (int64_t r = row_begin; r < row_end; ++r) {
        DequantizeRowRef(w.type, w.row(r), wrow.data(), w.cols);
        for (int64_t t = 0; t < n; ++t)
          y[t * w.rows + r] = DotF32(wrow.data(), xf.data() + t * w.cols, w.cols);
      }
      return;
    }
  }
}

}  // namespace engram::kernels
