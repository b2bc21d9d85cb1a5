// MatMul with AVX-512 (F, BW, VL) + VNNI for q8_0 weights: two 32-blocks per 512-bit register and
// vpdpbusd (u8 x s8 -> s32, no 16-bit intermediate) on |q_w| and sign(q_x, q_w); the two blocks'
// scales multiply their halves of the lanes. Other types fall back to the AVX2 kernel. Compiled
// with those flags only in this file; chosen at start-up when the CPU has them.
#include <immintrin.h>

#include <algorithm>

#include "kernels/cpu/simd.h"
#include "kernels/quant_blocks.h"

namespace engram::kernels {
namespace {

inline float HalfToFloat(uint16_t h) { return _cvtsh_ss(h); }

constexpr int kPrefetchBytes = 4096;  // as in the AVX2 kernel

template <int T>
void DotQ8_0Vnni(const BlockQ8_0* w, const BlockQ8_0* const* x, int64_t n_blocks, float* out) {
  __m512 acc[T];
  for (auto& a : acc) a = _mm512_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= n_blocks; b += 2) {
    _mm_prefetch(reinterpret_cast<const char*>(w + b) + kPrefetchBytes, _MM_HINT_T0);
    const __m512i qw = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b + 1].qs)), 1);
    const __m512i aw = _mm512_abs_epi8(qw);
    const __mmask64 neg = _mm512_movepi8_mask(qw);  // lanes where q_w < 0
    const float dw0 = HalfToFloat(w[b].d), dw1 = HalfToFloat(w[b + 1].d);
    for (int t = 0; t < T; ++t) {
      const __m512i qx = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][b].qs))),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][b + 1].qs)), 1);
      const __m512i sx =
          _mm512_mask_sub_epi8(qx, neg, _mm512_setzero_si512(), qx);  // sign(q_x, q_w)
      const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), aw, sx);
      const __m512 scale = _mm512_insertf32x8(_mm512_set1_ps(dw0 * HalfToFloat(x[t][b].d)),
                                              _mm256_set1_ps(dw1 * HalfToFloat(x[t][b + 1].d)), 1);
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scale, acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) {
    float s = _mm512_reduce_add_ps(acc[t]);
    for (int64_t r = b; r < n_blocks; ++r) {  // odd block count: the last block in scalar
      int32_t d = 0;
      for (int i = 0; i < kQK; ++i) d += static_cast<int32_t>(w[r].qs[i]) * x[t][r].qs[i];
      s += HalfToFloat(w[r].d) * HalfToFloat(x[t][r].d) * static_cast<float>(d);
    }
    out[t] = s;
  }
}

}  // namespace

void MatMulAvx512(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin,
                  int64_t row_end) {
  if (w.type != DType::kQ8_0) {
    MatMulAvx2(w, x, n, y, row_begin, row_end);
    return;
  }
  const size_t x_row_bytes = static_cast<size_t>(RowBytes(DType::kQ8_0, w.cols));
  const int64_t n_blocks = w.cols / kQK;
  const auto* xb = static_cast<const uint8_t*>(x);
  constexpr int64_t kTokenTile = 32;  // as in the AVX2 kernel: activations stay in cache per tile
  for (int64_t t0 = 0; t0 < n; t0 += kTokenTile) {
    const int64_t t1 = std::min(n, t0 + kTokenTile);
    for (int64_t r = row_begin; r < row_end; ++r) {
      const auto* wr = reinterpret_cast<const BlockQ8_0*>(w.row(r));
      for (int64_t t = t0; t < t1; t += 4) {
        const BlockQ8_0* xs[4];
        const int m = static_cast<int>(std::min<int64_t>(4, t1 - t));
        for (int k = 0; k < m; ++k)
          xs[k] = reinterpret_cast<const BlockQ8_0*>(xb + static_cast<size_t>(t + k) * x_row_bytes);
        float out[4];
        switch (m) {
          case 4:
            DotQ8_0Vnni<4>(wr, xs, n_blocks, out);
            break;
          case 3:
            DotQ8_0Vnni<3>(wr, xs, n_blocks, out);
            break;
          case 2:
            DotQ8_0Vnni<2>(wr, xs, n_blocks, out);
            break;
          default:
            DotQ8_0Vnni<1>(wr, xs, n_blocks, out);
            break;
        }
        for (int k = 0; k < m; ++k) y[(t + k) * w.rows + r] = out[k];
      }
    }
  }
}

}  // namespace engram::kernels
